CREATE TABLE "account_password_policies" (
	"account_id" text PRIMARY KEY NOT NULL,
	"minimum_password_length" integer NOT NULL,
	"require_symbols" boolean NOT NULL,
	"require_numbers" boolean NOT NULL,
	"require_uppercase_characters" boolean NOT NULL,
	"require_lowercase_characters" boolean NOT NULL,
	"allow_users_to_change_password" boolean NOT NULL,
	"max_password_age" integer,
	"password_reuse_prevention" integer,
	"hard_expiry" boolean
);
--> statement-breakpoint
CREATE TABLE "login_profiles" (
	"user_id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"password_hash" text NOT NULL,
	"password_reset_required" boolean NOT NULL,
	"password_set_at" timestamp with time zone NOT NULL,
	"password_last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mfa_devices" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"path" text NOT NULL,
	"seed_sealed" text NOT NULL,
	"user_id" text,
	"root" boolean DEFAULT false NOT NULL,
	"enabled_at" timestamp with time zone,
	"last_time_step" integer,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "mfa_devices_one_owner" CHECK (not ("mfa_devices"."root" and "mfa_devices"."user_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "password_history" (
	"user_id" text NOT NULL,
	"password_hash" text NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "password_history_user_id_set_at_pk" PRIMARY KEY("user_id","set_at")
);
--> statement-breakpoint
CREATE TABLE "saml_assertions_used" (
	"provider_id" text NOT NULL,
	"assertion_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "saml_assertions_used_provider_id_assertion_id_pk" PRIMARY KEY("provider_id","assertion_id")
);
--> statement-breakpoint
CREATE TABLE "saml_provider_keys" (
	"provider_id" text NOT NULL,
	"key_id" text NOT NULL,
	"key_sealed" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "saml_provider_keys_provider_id_key_id_pk" PRIMARY KEY("provider_id","key_id")
);
--> statement-breakpoint
CREATE TABLE "throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "saml_providers" ADD COLUMN "assertion_encryption_mode" text;--> statement-breakpoint
ALTER TABLE "account_password_policies" ADD CONSTRAINT "account_password_policies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "login_profiles" ADD CONSTRAINT "login_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "login_profiles" ADD CONSTRAINT "login_profiles_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mfa_devices" ADD CONSTRAINT "mfa_devices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mfa_devices" ADD CONSTRAINT "mfa_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_history" ADD CONSTRAINT "password_history_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saml_provider_keys" ADD CONSTRAINT "saml_provider_keys_provider_id_saml_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."saml_providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mfa_devices_account_name" ON "mfa_devices" USING btree ("account_id","name_lower");--> statement-breakpoint
CREATE INDEX "mfa_devices_user" ON "mfa_devices" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "saml_assertions_used_expires" ON "saml_assertions_used" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_alias" ON "accounts" USING btree ("alias");