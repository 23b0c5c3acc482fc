from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "users" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "nickname" VARCHAR(32) NOT NULL UNIQUE,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "password_hash" VARCHAR(255) NOT NULL,
    "global_role" VARCHAR(32),
    "current_organization_id" CHAR(36),
    "email_verified_at" TIMESTAMP,
    "mfa_enabled" INT NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "locale" VARCHAR(35) NOT NULL,
    "preferences" JSON NOT NULL,
    "disabled" INT NOT NULL,
    "deleted_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "auth_sessions" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "refresh_token_hash" VARCHAR(64) UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "ip_address" VARCHAR(45) NOT NULL,
    "user_agent" VARCHAR(512) NOT NULL,
    "last_seen_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "revoked_at" TIMESTAMP,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_auth_sessio_user_id_78519e" ON "auth_sessions" ("user_id", "revoked_at");
CREATE TABLE IF NOT EXISTS "organizations" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "name" VARCHAR(120) NOT NULL,
    "slug" VARCHAR(64) NOT NULL UNIQUE,
    "plan" VARCHAR(32) NOT NULL,
    "billing_status" VARCHAR(32) NOT NULL,
    "deleted_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "organization_users" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "role_in_organization" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "organization_id" CHAR(36) NOT NULL REFERENCES "organizations" ("id") ON DELETE CASCADE,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_organizatio_organiz_cf3fd2" UNIQUE ("organization_id", "user_id")
) /* Membership: a user's role in one organization. */;
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztXG1vozgQ/iuIL9eT9qo2b7tanU5K2lSb221zatO701YVcsBJrBDDgunL9vLfz3YggI"
    "EEUkIJ5ctuM56xzTNmPC82L/LC0KBuH9/a0JI/Sy8yBgtI/wjRP0gyME2fyggEjHXO6FAO"
    "TgFjm1hAJZQ4AboNKUmDtmohkyADUyp2dJ0RDZUyIjz1SQ5GPxyoEGMKyYxP5O6ekhHW4B"
    "O0vZ/mXJkgqGuheSKNjc3pCnk2Oe32dnB+wTnZcGNFNXRngX1u85nMDLxmdxykHTMZ1jaF"
    "GFqAQC3wGGyW7uN6pNWMKYFYDlxPVfMJGpwAR2dgyL9PHKwyDCQ+Evun9Yc7tQCbolwNR8"
    "pNf6QocgbsVAMz3BEmDKiX5apfHxBOldkAZ1+610fNzq8cAsMmU4s3crjkJRcEBKxEOeg+"
    "yqoFGSYKIFG0z2kLQQsYj3hYUkBec0WPvT920YBH8FXgLz8PXA++PQAu0wfUhlh/dnW/QQ"
    "GjwWX/ZtS9/IsNt7DtHzrHrzvqs5YGpz4L1KOVvgz6Zq3et3Un0j+D0ReJ/ZS+D6/6olbX"
    "fKPvMpsTcIihYONRAVpgmXpUDzXK6WvdMbUdtR6WrLVeFq17GAXU7s7e1zr/P6Lvsxmw4n"
    "Xt8Qtapmgdol4X4EnRIZ6SGf152jjZoNi/u9fcpFIuQVtXblNj1bYM44vUeWaMAzL54Lx9"
    "3yoM5WYjBcjNRiLGrCkMMVwApGfBdy1QOXAb7VYKdClXIry8LYyvCWz70bA0ZQbsWRacI4"
    "IVNBqNdjsV4u0NiLdFxKe6MQa6Yhl6JrshiO2Etrt2ywl2/rZDdSwLYqIY1hRg9BOw+SnZ"
    "oowNXbwi9CiZHl4TaAiWWnmAFqId7eJpxnaQg8N5OGiX3L+MhhWLCVAgZjjHvFU9g9oqgO"
    "OVLUgKah5T0X3tHmtKsbrtDYffQmrtDUaCKbu97PWpD8r1SZkQ4eTB1Uh409i6/2ngTNtH"
    "UKa4nVq+HZ3tKz0S3j06aXyjTrJr1Il4RrqhgmxbtC9RIMIQFwNwM40r1Ez2hJoRR8i04A"
    "TS3VWFdhTlP2+GVwmOZ1hM3CCQSqT/JB3ZZG+Q+1nAsYN0grB9zIZ9i0QggylkVTzAjy67"
    "/4q6OPs27Im7AOugJyhGQ/YuJj0oVtvzDPZcgzrcLTkXlqx9pbL5SqzWMZkH8vCMMAbq/B"
    "HQyDnU4i8HG9o2xSnGKPZcyYuv11DnsUiM2t1yT9chs5tVTwcYhy+9le5R5Zj05gIuxtCy"
    "Z8h8JVbDQHTnlcmqAhhbcUbDSFqD0aZFYyFSAAZT/khsbDZSzBqLqTgKSzC58Ejfm5kSXP"
    "Z7LUDe8UKnG8Vb8MGYryzofV2ZrCuT5Xy7D7RGVVcm36PW01QmCTW6OHPNISxVuQJP/jkM"
    "GipTnc2U3eCOl86l8lBp1Of0sbLg7PEXmDVSDWOOYDGZo9NOmsq7aIwChfeOCDAymamhaz"
    "PG70+GOSxVINjFwNxKk6BrJSfoWpEEHXeTqeePY7bmZJjDUpWDuX2apk5JuRKB5m1CrhnY"
    "hAZA1Mpmd4NE2Qo6Qofr+ET9XfhkItrdLvXRkGSt5lKrOZBXyKjmsGSd0y2zlgOJpLTZoY"
    "BInimi8ip1S0YokiIPoxuF9sKwIJrir/CZAzyg8wBYjSu7ChcfDhPSSEaXki3wuM5SBhcU"
    "ffZVRYjj3r0565735WVyzWGfueFgTl2OSQ6H2j9syg4Hz17V11PqJHCdBD6odGCdBH6PWq"
    "+vp7z99RRbd6ZZ8PX468T61hSvqQOcBVqPv8B02MSCBSV48z+5P0a6TsdXqGtPnExJ3qhk"
    "gZBj94DtIUJeH0KrasJip0No9dmqNz5bFcFtSwy9/fMOoTtM6b/1IF+ul8JnCUhM8BdbYv"
    "fQJIQlavGkYMfHsgDpDuIxQfpdaPaciT3vfR2818H7QdiQAw3j6uD9PWo9TfDOLLiCsCLa"
    "5dSHixLkKxjc5++sZ4+L3iQeom4FejjYU0avuDae73Xxsq3ufO6L17XTfdZON5vlzDVUsV"
    "p3mBBvraXGvLfxNVVxIecAccWCYxHakpapu9BC6kyOu720avmw8eKSz1OamvQAkwxRLcKR"
    "e9Ku9sqb25+yKfzWOG19bH1qdlqfKAuf5prycYNJ9a7fJkexD9CyMzqzAZEK+q97+QwSe6"
    "kyIOyyVxDd05NUpb+TDaW/k0jpj45IYs9tJ39XISBS/DcV3sa9yu3rCRlS7PlvZsv/AbYW"
    "QsA="
)
