ALTER TABLE "access_keys" ADD COLUMN "deactivated_at" timestamp with time zone;--> statement-breakpoint
-- Keys inactive at the upgrade were deactivated at some unknown time before it: the sessions issued
-- before now carry no deactivation time, so reactivating such a key must not bring them back.
UPDATE "access_keys" SET "deactivated_at" = now() WHERE "status" = 'Inactive';
