CREATE TABLE "audit_events" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"account_id" text NOT NULL,
	"request_id" text NOT NULL,
	"action" text NOT NULL,
	"principal_arn" text,
	"access_key_id" text,
	"source_ip" text,
	"user_agent" text,
	"decision" text NOT NULL,
	"error_code" text,
	"source_identity" text,
	"resource" text,
	"details" text
);
--> statement-breakpoint
CREATE TABLE "revoked_sessions" (
	"jti" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "revoked_sessions" ADD CONSTRAINT "revoked_sessions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_account_at" ON "audit_events" USING btree ("account_id","at");--> statement-breakpoint
CREATE INDEX "revoked_sessions_account" ON "revoked_sessions" USING btree ("account_id","expires_at");