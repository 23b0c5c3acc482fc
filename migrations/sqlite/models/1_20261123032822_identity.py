from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "outbox_messages" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "actor" VARCHAR(64) NOT NULL,
    "payload" JSON NOT NULL,
    "claimed_until" TIMESTAMP,
    "publish_attempts" INT NOT NULL,
    "last_error" VARCHAR(500)
);
CREATE INDEX IF NOT EXISTS "idx_outbox_mess_claimed_242447" ON "outbox_messages" ("claimed_until");
        CREATE TABLE IF NOT EXISTS "sign_in_throttles" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "account_digest" VARCHAR(64) NOT NULL UNIQUE,
    "failures" INT NOT NULL,
    "locked_until" TIMESTAMP
);
        CREATE TABLE IF NOT EXISTS "installation" (
    "id" INT NOT NULL PRIMARY KEY,
    "owner_id" CHAR(36) NOT NULL,
    "created_at" TIMESTAMP NOT NULL
);
        CREATE TABLE IF NOT EXISTS "spent_refresh_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "session_id" CHAR(36) NOT NULL REFERENCES "auth_sessions" ("id") ON DELETE CASCADE
) /* A refresh token already exchanged; presenting it again revokes its session. */;
        CREATE TABLE IF NOT EXISTS "one_time_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "purpose" VARCHAR(32) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "payload" JSON NOT NULL,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP,
    "superseded_at" TIMESTAMP,
    "failed_attempts" INT NOT NULL,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_one_time_to_user_id_540ce7" ON "one_time_tokens" ("user_id", "purpose");
        CREATE TABLE IF NOT EXISTS "mfa_recovery_codes" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "code_hash" VARCHAR(64) NOT NULL,
    "used_at" TIMESTAMP,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_mfa_recover_user_id_4bbbbf" UNIQUE ("user_id", "code_hash")
);
        ALTER TABLE "users" ADD "mfa_secret" VARCHAR(64);
        ALTER TABLE "users" ADD "mfa_pending_secret" VARCHAR(64);
        ALTER TABLE "users" ADD "mfa_last_step" BIGINT;
        ALTER TABLE "auth_sessions" ADD "access_expires_at" TIMESTAMP;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "mfa_secret";
        ALTER TABLE "users" DROP COLUMN "mfa_pending_secret";
        ALTER TABLE "users" DROP COLUMN "mfa_last_step";
        ALTER TABLE "auth_sessions" DROP COLUMN "access_expires_at";
        DROP TABLE IF EXISTS "sign_in_throttles";
        DROP TABLE IF EXISTS "outbox_messages";
        DROP TABLE IF EXISTS "spent_refresh_tokens";
        DROP TABLE IF EXISTS "one_time_tokens";
        DROP TABLE IF EXISTS "mfa_recovery_codes";
        DROP TABLE IF EXISTS "installation";"""


MODELS_STATE = (
    "eJztXW1zozgS/iuUv9xc1Vwq8Usyt3d1VU4mc+vdTbyVOHdXOzVFySDbqmDBgsjLzuW/ry"
    "SDASEw4JcA1peZWFILeBqafrpb4ntnaZvQ8k4ePOh2ftC+dzBYQvpHov2j1gGOE7WyBgKm"
    "Fh/o0xG8BUw94gKD0MYZsDxIm0zoGS5yCLIxbcW+ZbFG26ADEZ5HTT5Gv/tQJ/YckgU/ka"
    "/faDPCJnyBXvjTedRnCFpm4jyRyY7N23Xy6vC2h4fR5y98JDvcVDdsy1/iaLTzShY2Xg/3"
    "fWSeMBnWN4cYuoBAM3YZ7CyDyw2bVmdMG4jrw/WpmlGDCWfAtxgYnX/OfGwwDDR+JPZP/1"
    "/BqcWG6frteKLfX090vVMCO8PGDHeECQPq+9tq3ggQ3tphB7j6cXj3oXf+Vw6B7ZG5yzs5"
    "XJ03LggIWIly0COUDRcyTHRA0mh/pj0ELaEc8aSkgLwZiJ6Ef1TRQNgQqSC6/UJwQ/j2AH"
    "iHXqA5xtZroPscBUxGN9f3k+HNr+xwS8/73eL4DSfXrKfLW1+F1g8rfdn0yVo9b+tJtP+O"
    "Jj9q7Kf22/j2WtTqetzktw47J+ATW8f2sw7M2G0atoao0ZGR1n3HrKj1pKTSel20HmIUU3"
    "tw9pHW+f8pfV8tgCvXdThe0DJFq4l6XYIX3YJ4Thb051n3NEex/xnecZNKRwnaug26uqu+"
    "tyS+yHgsjXFMZjc4b35vHQzlXrcAyL1uJsasKwkxXAJklcF3LdA6cLuDfgF06ahMeHlfEl"
    "8HeN6z7Zr6AniLMjinBFtoNLqDQSHEBzmID0TE55Y9BZbu2lYpuyGIVUI7uHfrCfbubYfh"
    "uy7ERLfdOcDoD8DOTy/HMnKm2IJ61EwP2xANwVLrT9BFdKIqnqZ0gh04nM1Bu+b+ZZpWLG"
    "dAh5jhLHmqLm1qqwCWK1uQFNQ8paL7enusWw6r28vx+JeEWi9HE8GUPdxcXlMflOuTDkKE"
    "N49uJ8KTxrDzIKXjkkcs+wWSlGrf++O8iHd0nu0cnad8I4aYA7FJz6Ei3mlphXsx3C3gEd"
    "0j0JHYFTQfYZINekJUwJteQgPxnrOT+Nvfu91e76J72jv/NOhfXAw+nX6iY/kJp7su8kzR"
    "6N/MqCT0kbYy7O36h41LOalxmcPxgc7D5GpfQdh93+uWbYByRCCSOCDCEB8G4F4RwtXL5l"
    "u9FN1yXDiD1Ic3oJdG+af78W0GvU2KiW4oMoj2f81CXhFzUg3yKNcw9ZFFEPZO2GHfI93A"
    "YEr4LiHgH26G/xN1cfXL+FL0NdkEl4JiTORVcRzjYsprLOE1mtCC1VIASUnFyOrGyFhGdf"
    "YYy/axhikwHp+Ba+qJnuh28KDnUZwkRvEykPzy8x20eMRDovYgqTz0yeJ+NVMDo31v4Z0e"
    "tnYkSZQlXE6h6y2QsyVW41gMKUzGtxEw6v/pzBDoxH6E295gYwwndK4Jm6qtgLnQsJ+g+0"
    "qHmTIvpQxed8FcV/Rnm/BiJs3u2llGLt217C7FFoDBnF8SOzY7ksSISQpnBBuXXT9DDfNC"
    "j9vVvdbRfOX1OkEw2oVP9Anhr+hvqsBGFdjU8+luaKmFKrA5Rq0XKbDhHk7p1HlSqnV1Cr"
    "sPkrlwRnW20KvBLZfeSSC+1ag/0ssqg3M4/oBhScO2HxE8TGjy7LxIAZlojGL1Y+ciwMhh"
    "pobemxKfPxvmpNQBwT4MzP0iEeB+dgS4n4oAczeZev64VPouKdU6mAdnRcpt6KhMoHmfkM"
    "zgmTdIrWx5N0iUbaEj1FzHJ+3vwhcH0emqlPkkJJWaa63mWFyhpJqTkippUGctA8Og7oRe"
    "/ZmWTqB0Xmedx4KHRSOCMZFdhgXrq9QNUcBU3i2JbhraL7YL0Rz/DF85wCN6HgAbsloOYc"
    "1mMyFNRfFpswue15Hp+A1Fr32VZua4D++vhp+vO2+FEpkOK9BOkPwtcyj3bMa71YStSzzt"
    "M5GSBk6STpGim51UyVLvxtxKZ6gFUhqX0oDFApGvGnwxFgDTC/iH5tBuOj0FUkNEA3MKlL"
    "ZyXDza4GlBMuekI2C+67nVqukamPOPKqlzROF9ldQ5Rq2rpE5t0gvB+68kB0lKKRqST0O8"
    "qGxlSybSzkI/kZAk766ynGSfrnW8eFDmVSf6cx3q+FJWtduP8luV39ooD0b5rceo9SJ+q9"
    "rtZ7+7/XiWPy+DbzhecYGNXMCxgMRJzdl8Jhh/wLKMmQsPVGi0+41Qpsiy+DJ0Aohfqtgo"
    "LXlAyHGwkriJkKvVdm1NolZabacWkb1zaiqF2wYOvXm33MSWUMW3zu3crG+FHzSgMcG/eB"
    "rb1ktDWKMWT4tPnM48lReXkPSvibPng9j1flPkXZH3RtiQhtI4Rd6PUetFyDuz4DrCumiX"
    "Cy9yyZBvIbnfvbNenhe9Cx+ibgV6auxqly124dzt7pt1u7u3cR5UPedhEqn5Zrl0NlXM1j"
    "UT4o3pVMlzK8+pijfyDiBuGTkWod2idHavNDu+XYuMYgvbueTQ6/QuMofbTsPxXWofoNpL"
    "QzHguhqKhnIhxYCPUetFGHBoc1Mqz0kDRiKK5xbguaqy9TDZbPBq2UDiIORsNxuJqK1mEw"
    "ZrF1vNqsXqVVRR8xeIxG/wqjkNnsq2N0K/nu9AlyqrkpZTwkrXddb1DCCLq4rApUMksfnM"
    "T0BIJCt9BKKSpT7dl8uy+gRE96x/0f/UO++vv/ywbsn74EN6M3AVLVar/1UIUx7C9MnUfr"
    "mBngf4Q5eOYSYGfMwNYvKh+nI1Vq22UeFKFa5sVOBKhSuPUetFwpXUhNuSl3x2GG0t0MJQ"
    "pYqhvY+LupdomWEBam1M3cdE9untDS8yUfggNPuQ0ePm2rD0q8vxp/ShWFSh2TJRxbNFns"
    "13tYWuW+5VkZRq3ydDB6dFlmfSUdmbD5/y5Zkl1uLskzImProjYYziR3myCSP7fmn6c0C7"
    "5Yxf1/EJdoBVYk+t/FBEshneUEMphSKSx6j1IkQyMsIlPISEkCKUBQilSg6XennV/CmSJv"
    "9VRms7j0RltNqZ0bqnOhrhycK1CbGkBEUY8TF3Q2Y6lq00JMFoldVSZESRkUa5pYqMHKPW"
    "i2W1DNvHRDfRHHqlvpeWllSV4htJCatV813ZN79zy9tCERVvT8XbbeOxaupKlFV8rz6Gav"
    "V+qkm4n/Mcy8rciznRn+tLI3FkbdzoTPsj9aIrWp73te07MT3ZbrP9jEtHJOIyKiQh1iUo"
    "HtIyjzSLh9TEzg+hi4yFzMIHPbm2HURj2mPVA40drVF/gq78gxrZxCgm0sJETXdQ5HvddF"
    "QmK+J9SUvPHqoSCAfDW4juWaFCmbOcQpmz09Q+5vSIRPox9OzSypiIKq0sWVr5ri+ztz8B"
    "cPv5Ng=="
)
