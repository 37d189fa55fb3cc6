CREATE TABLE "access_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"user_id" text,
	"status" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone,
	"last_used_service" text,
	"last_used_region" text
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"alias" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "accounts_id_12_digits" CHECK ("accounts"."id" ~ '^[0-9]{12}$')
);
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" text NOT NULL,
	"user_id" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	CONSTRAINT "group_members_group_id_user_id_pk" PRIMARY KEY("group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "groups" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"path" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inline_policies" (
	"owner_id" text NOT NULL,
	"account_id" text NOT NULL,
	"owner_type" text NOT NULL,
	"name" text NOT NULL,
	"document" text NOT NULL,
	CONSTRAINT "inline_policies_owner_id_name_pk" PRIMARY KEY("owner_id","name")
);
--> statement-breakpoint
CREATE TABLE "managed_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"path" text NOT NULL,
	"arn" text NOT NULL,
	"description" text,
	"default_version_id" text NOT NULL,
	"next_version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_attachments" (
	"owner_id" text NOT NULL,
	"account_id" text NOT NULL,
	"owner_type" text NOT NULL,
	"policy_id" text NOT NULL,
	"attached_at" timestamp with time zone NOT NULL,
	CONSTRAINT "policy_attachments_owner_id_policy_id_pk" PRIMARY KEY("owner_id","policy_id")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"policy_id" text NOT NULL,
	"version_id" text NOT NULL,
	"document" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "policy_versions_policy_id_version_id_pk" PRIMARY KEY("policy_id","version_id")
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"path" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"trust_policy" text NOT NULL,
	"description" text,
	"max_session_duration" integer NOT NULL,
	"boundary_policy_id" text,
	"last_used_at" timestamp with time zone,
	"last_used_region" text,
	CONSTRAINT "roles_max_session_duration" CHECK ("roles"."max_session_duration" between 3600 and 43200)
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"owner_id" text NOT NULL,
	"key_lower" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "tags_owner_id_key_lower_pk" PRIMARY KEY("owner_id","key_lower")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"name_lower" text NOT NULL,
	"path" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"boundary_policy_id" text
);
--> statement-breakpoint
ALTER TABLE "access_keys" ADD CONSTRAINT "access_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_keys" ADD CONSTRAINT "access_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inline_policies" ADD CONSTRAINT "inline_policies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "managed_policies" ADD CONSTRAINT "managed_policies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_attachments" ADD CONSTRAINT "policy_attachments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_attachments" ADD CONSTRAINT "policy_attachments_policy_id_managed_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."managed_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_policy_id_managed_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."managed_policies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_boundary_policy_id_managed_policies_id_fk" FOREIGN KEY ("boundary_policy_id") REFERENCES "public"."managed_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_boundary_policy_id_managed_policies_id_fk" FOREIGN KEY ("boundary_policy_id") REFERENCES "public"."managed_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_keys_user" ON "access_keys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "group_members_user" ON "group_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "groups_account_name" ON "groups" USING btree ("account_id","name_lower");--> statement-breakpoint
CREATE UNIQUE INDEX "managed_policies_account_name" ON "managed_policies" USING btree ("account_id","name_lower");--> statement-breakpoint
CREATE UNIQUE INDEX "managed_policies_arn" ON "managed_policies" USING btree ("arn");--> statement-breakpoint
CREATE INDEX "policy_attachments_policy" ON "policy_attachments" USING btree ("policy_id");--> statement-breakpoint
CREATE UNIQUE INDEX "roles_account_name" ON "roles" USING btree ("account_id","name_lower");--> statement-breakpoint
CREATE UNIQUE INDEX "users_account_name" ON "users" USING btree ("account_id","name_lower");