CREATE TABLE "oidc_providers" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"url" text NOT NULL,
	"issuer" text NOT NULL,
	"client_ids" text[] NOT NULL,
	"thumbprints" text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oidc_providers" ADD CONSTRAINT "oidc_providers_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "oidc_providers_account_url" ON "oidc_providers" USING btree ("account_id","url");--> statement-breakpoint
CREATE UNIQUE INDEX "oidc_providers_account_issuer" ON "oidc_providers" USING btree ("account_id","issuer");