from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "invites" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "role" VARCHAR(32) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "status" VARCHAR(16) NOT NULL,
    "invited_by_id" UUID,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "accepted_at" TIMESTAMPTZ,
    "accepted_by_id" UUID,
    "revoked_at" TIMESTAMPTZ,
    "resent_count" INT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_invites_organiz_fbab8b" ON "invites" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_invites_organiz_11b88e" ON "invites" ("organization_id", "email", "status");
CREATE INDEX IF NOT EXISTS "idx_invites_email_602b94" ON "invites" ("email", "status");
        CREATE TABLE IF NOT EXISTS "audit_events" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "actor_id" UUID,
    "organization_id" UUID,
    "action" VARCHAR(64) NOT NULL,
    "target_type" VARCHAR(32) NOT NULL,
    "target_id" VARCHAR(64),
    "request_id" VARCHAR(128),
    "client_ip" VARCHAR(45),
    "changed_fields" JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_audit_event_organiz_57c027" ON "audit_events" ("organization_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_audit_event_actor_i_29ea79" ON "audit_events" ("actor_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_audit_event_created_e5b726" ON "audit_events" ("created_at", "id");
        CREATE TABLE IF NOT EXISTS "idempotency_records" (
    "id" UUID NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" UUID NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "fingerprint" VARCHAR(64) NOT NULL,
    "status" INT,
    "body" BYTEA,
    "headers" JSONB NOT NULL,
    "locked_until" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_idempotency_user_id_1462fb" UNIQUE ("user_id", "key")
);
CREATE INDEX IF NOT EXISTS "idx_idempotency_expires_c48357" ON "idempotency_records" ("expires_at");
        CREATE INDEX IF NOT EXISTS "idx_organizatio_organiz_d91922" ON "organization_users" ("organization_id", "status", "created_at", "id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_organizatio_organiz_d91922";
        DROP TABLE IF EXISTS "idempotency_records";
        DROP TABLE IF EXISTS "audit_events";
        DROP TABLE IF EXISTS "invites";"""


MODELS_STATE = (
    "eJztXW1zozgS/iuUv9xcVW4qcewkt3d1VXYms+vbSbKVeO5ud2qKkkG2VcGCBZGMdzb//S"
    "QZDAhBANsEiL7sTqRuwE9Dq9/U+t5b2Sa0vPefPej2ftC+9zBYQfqPxPiR1gOOE42yAQJm"
    "Fif0KQUfATOPuMAgdHAOLA/SIRN6hoscgmxMR7FvWWzQNighwotoyMfodx/qxF5AsuQP8u"
    "UrHUbYhN+gF/7pPOhzBC0z8ZzIZPfm4zpZO3zs8+fJh4+ckt1uphu25a9wRO2sydLGW3Lf"
    "R+Z7xsPmFhBDFxBoxn4Ge8rg54ZDmyemA8T14fZRzWjAhHPgWwyM3j/nPjYYBhq/E/vP4F"
    "/Bo8XIdP3mdqrfX011vVcCO8PGDHeECQPq+/PmuhEgfLTHbnD50+ju3enZXzkEtkcWLp/k"
    "cPWeOSMgYMPKQY9QNlzIMNEBSaP9gc4QtIJyxJOcAvJmwPo+/EcVCYQDkQii1y8EN4TvAI"
    "D36A80b7G1DmSfI4Dp5Prqfjq6/oXdbuV5v1scv9H0is30+ehaGH23kZdNv6zN97a9iPbf"
    "yfQnjf2p/XZ7cyVKdUs3/a3Hngn4xNax/aQDM/aahqMhapQykrrvmBWlnuRUUm+K1EOMYm"
    "IPnj6SOv9/St6XS+DKZR3SC1KmaLVRrivwTbcgXpAl/fOkf5wj2P+M7rhKpVSCtG6Cqf5m"
    "7jmJLzIeSmMc49kPzi+vW7WhfNovAPJpPxNjNpWEGK4Assrgu2XoHLj94aAAupQqE14+l8"
    "TXAZ73ZLumvgTesgzOKcYOKo3+cFgI8WEO4kMR8YVlz4Clu7ZVSm8IbJXQDt7dZoK9f91h"
    "+K4LMdFtdwEw+gOw59PLeRk5l9jB9WiYHHZxNARNrT9CF9ELVbE0pRfYg8HZHrQbbl+m3Y"
    "rVHOgQM5wlX9XYproKYLmwBU5BzDPKeqjVYztSr2zHt7efEmIdT6aCKvt8Pb6iNiiXJyVC"
    "hA9PbqbCl8aw8yB1xyWfWPYCkuTq3vpxVsQ6Oss2js5SthFDzIHYpM9QEe80t8K9GO4W8I"
    "juEehI9ApaTDDJBj3BKuBNf0IL8V6wh/jb3/v909Pz/vHp2cVwcH4+vDi+oLT8gdNT53mq"
    "aPIjUyoJeaS1DFtd/7BxKSM1zlOfP9D7PL08VBD20O+6ZRugnCMQcdSIMMT1AHxaxOE6zf"
    "a3TlPuluPCOaQ2vAG9NMr/vr+9yXBvk2yiGYoMov2pWcgrok6qQR7lGmY+sgjC3nt229dI"
    "NzCYErZLCPi769H/RFlcfrodi7Ymu8BYEIyJvCqGY5xNWY0lrEYTWrBaCiDJqTyypnlkLK"
    "M6f4hl+9jADBgPT8A19cRM9Dp40PMoThKlOA44P/58By0e8ZCIPUgqj3yyvN9cqYXRvufw"
    "TQ9He5IkygquZtD1lsjZEavbWAwpTMZ3ETBq/+lMEejEfoC7vmC3GE7ptabsUl0FzIWG/Q"
    "jdNSUzZVZKGbzugmtd0j+7hBdTaXbfzlJy6alVfyWOAAwW/Cexe7M7SZSYpHBG0HHZ9TNU"
    "MS/1uF49aB3NF16vEwSjXfhIvxC+RH9VBTaqwKaZX3dLSy1Ugc1blHqRAhtu4ZROnSe5Ol"
    "ensP8gmQvnVGZLvRrccu69BOI7jfoD/VllcA7pawxLGrb9gGA9ocmTsyIFZKIyitWPnYkA"
    "I4epGvpuSmz+bJiTXDWCXQ/MgyIR4EF2BHiQigBzM5la/rhU+i7J1TmYhydFym0oVSbQfE"
    "5IZvDMG6RatrwZJPJ20BBqr+GTtnfhNwfRy1Up80lwKjE3WsyxuEJJMSc5VdKgyVIGhkHN"
    "Cb36Ny29gJJ5k2UeCx4WjQjGWPYZFmyuUF+IAqbybkl009B+tF2IFvhnuOYAT+hzAGzIaj"
    "mEPZvthDQVxafDLnjaRqbjLxT97Zs0M8d9dH85+nDVey6UyHRYgXbCyd8xh3LPrni3uWDn"
    "Ek+HTKSkgZOkU6ToZidVssT7Ym6lN9ICLo1zacBigci1Br8ZS4DpD/iH5tBpenkKpIaIBh"
    "YUKG1juHh0wNOCZM77noD5vq+tdk03QJ0fqaTOGwrvq6TOW5S6Suo0Jr0QrH8lfZAkl3JD"
    "8t0QLypb2dET6Wahn+iQJN+usj7JIU3rePGgzKpOzOca1PGtrKrbj7Jbld3aKgtG2a1vUe"
    "pF7FbV7eew3X48y1+UwTekV77Ai76AYwGJkZrTfCagr7EsY+7CmgqN9t8IZYYsi29DJ4D4"
    "pYqN0pw1Qo6DncRthFzttutqErXSbju1ieyVU1Mp3F7woV/ulptoCVW8dW7vevsq/KABjT"
    "H+xdNYWy8NYY1qPC1+4XTmqTy7xEn/knh6TsR+79fUFiNJ36toKUi6iHRWbT1S3n5DlU5L"
    "/T7l7b9FqRfx9pnK1xHWRUVeeFdMBn8HowH7t+7LO1Kv4kBROwQ9tnZ7zA5tO/fbrrNpb/"
    "cuxoMqAK0n85qvlkunX8X0XjshfjH/Kvlu5UlY8UXeA8Qd86ZFaHeotT2oXx7v7yLzyYX+"
    "Lzn+eLrtTH39NxzfpfoBKg9YecBNVRQt9YWUB/wWpV7EAw51bkrkOXnDiEX5uQX8XFUKW0"
    "/6G6wtG0gMhJz+tBGL6k2bUFj76E2rdrdXEUXDFxCJ3eBVMxo8lZ5vhXw934EuFVYlKaeY"
    "laybLOs5QBYXFYErh0hi85lnRkg4K50aUUlTHx/KZNmcGdE/GZwPLk7PBtujIrYjeSdEpL"
    "uHq2ixahegQpjyEKZPZva3a+h5gH906RhmguAoN4jJSfXVhlZtz1HhShWubFXgSoUr36LU"
    "i4QrqQq3JYt8dhhty9DBUKWKob2OiXqQaJlhAaptTN3HRHZW9wsLmchci5tdZ/S4vTosvX"
    "Q5/ox+FMsqbraMVfnZop/N2+BC1y23VCS5unfG6PC4yH5OSpXdrfiY7+cssXnnkC5j4pQe"
    "icconuKT7TCyA0/T5wft12f8so1PsBtsEnviVhHlSCpHspnWUEtdCuVIvkWpF3EkIyVcwk"
    "JIMCmHsoBDqZLDpRavhn9F0uS/ymjtZpGojFY3M1r3VEYTPF26NiGW1EERKI5yOzhTWrbT"
    "kATUB/FQgGHYPia6iRZwE7QzLASjAeWvKH+lHbqjpZar8lfeotSLJb5E1Vw8AyZyKs+lgO"
    "eSXPlK4J1i7Nyxd/sHm1UP+q7s2PbcgsOQRWVAUhkQ23iomkwUeZUH3px1IW0OPFEMKQf1"
    "Ad1qVoH0AkrmTZY5tgmiP6SKtAVWJeemybkhyVUeVbKszFb5ifmjvMgFEikbU4qbaVtIAx"
    "IVrYrX3XO5F7MiOwJhP+HS8d84jwoAi16HCul0zLnPCuk0Rs8/IiKNTgczL+h2RlNHmxhJ"
    "UyO4AhsHJWgLR3m+pAdVjFrFqJVCq0GhqRh1l6VeJEbdpl6TDaldL2Eable2ooHoLUMH4/"
    "39YZEYNKXKDELzuSTCrJtvGYBD+g7iq7og1QLzAQ4EbUdTZQdik8FUC8r776q88XtMfbYu"
    "uc6lGHdY5doTeC2zyqmmUV2NbAvlDNCp5iEIrCqD0Qo5l9aUaU6lKgVzFT7aD5U+oSSn+o"
    "Ka/AXRS7FyIl7DVSKFJbKpEplpc3aujnwTkatHyEvaU4H32OxRXvAdMDodMsJXisCnzy5j"
    "IXjeciOXQp15pqL0bbG6WxqvLRKlj3+oxc2yiEcZZA09a6mT6AKj7OlsEUcHI7T7Dx0S4N"
    "LlfwNSCZQFtg5CfYBg+AYzmY54EWipduhAe5r9v9AupD/TKwtzkqt7OJ/0L4qEw/sX2fFw"
    "NifdLYOcMkgnmLoH9GBYAOfBMBNmNiWgvASYOpShCZ+COrtLX5qzGQdesPu1+sCLhkQUJi"
    "ZcOTaB2Fiztldu0onOJDrKLe6LyHl3LNc8WFusQNk+wLXaY64iA20xErsbGVBtXfbqujK9"
    "VsIuCsg76En1h0VsIkqVU7aVsorm9P7QdVwkS5BkoyywdRDt+qqLMtNQmcVFxRJQTbPv97"
    "xLe2abEsUwRhi4azmeIYeA5mwd7MJoF545YI0Dm3u7WNK3cjy5Gd39urXQtyvmp9ubH8cS"
    "G3386/RqJEC+pGs2dEv5TjGWZjhNnTolsGGdCpqm0VtiVBYqZWhXbV9Ddgi0QsoNiYKMoI"
    "uMZU9WU7GZOcqtp4hourNFPXiLm1sPf+Ad6o905S6ZNoyxdNApOIgLxj6qEggH5B1E96TQ"
    "GQsnOWcsnGzOWEj2qsYEypzbnHh/xKJO5WlTSP/5/4ny9Hk="
)
