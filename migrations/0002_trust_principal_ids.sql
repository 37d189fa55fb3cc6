ALTER TABLE "roles" ADD COLUMN "trust_principal_ids" boolean DEFAULT true NOT NULL;--> statement-breakpoint
-- Roles saved before now name users and roles by ARN: mark them for the one-time conversion to
-- unique ids, done in TypeScript right after the migrations (src/store/trust-backfill.ts).
UPDATE "roles" SET "trust_principal_ids" = false;
