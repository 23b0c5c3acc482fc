from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "action_items" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "mentorship_id" CHAR(36) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "assignee_id" CHAR(36) NOT NULL,
    "created_by_id" CHAR(36),
    "due_at" TIMESTAMP,
    "status" VARCHAR(16) NOT NULL,
    "session_id" CHAR(36),
    "goal_id" CHAR(36),
    "completed_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_action_item_organiz_7db69a" ON "action_items" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_action_item_organiz_aa9736" ON "action_items" ("organization_id", "mentorship_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_action_item_organiz_a56fbc" ON "action_items" ("organization_id", "assignee_id", "status");
CREATE INDEX IF NOT EXISTS "idx_action_item_organiz_306db2" ON "action_items" ("organization_id", "session_id");
CREATE INDEX IF NOT EXISTS "idx_action_item_organiz_086354" ON "action_items" ("organization_id", "goal_id");
        CREATE TABLE IF NOT EXISTS "coaching_sessions" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "mentorship_id" CHAR(36) NOT NULL,
    "coach_id" CHAR(36) NOT NULL,
    "teacher_id" CHAR(36) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "starts_at" TIMESTAMP NOT NULL,
    "ends_at" TIMESTAMP NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "location" VARCHAR(500),
    "video_provider" VARCHAR(32),
    "video_meeting_id" VARCHAR(128),
    "join_url" VARCHAR(2000),
    "organizer_id" CHAR(36),
    "series_id" CHAR(36),
    "series_index" INT,
    "sequence" INT NOT NULL,
    "reason" VARCHAR(500),
    "reason_by_id" CHAR(36),
    "cancelled_at" TIMESTAMP,
    "started_at" TIMESTAMP,
    "completed_at" TIMESTAMP
) /* A scheduled video session of a mentorship. Times are UTC; `timezone` is the */;
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_30cd80" ON "coaching_sessions" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_11b239" ON "coaching_sessions" ("organization_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_b7fdb0" ON "coaching_sessions" ("organization_id", "coach_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_be7ebb" ON "coaching_sessions" ("organization_id", "teacher_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_0ec96c" ON "coaching_sessions" ("organization_id", "mentorship_id", "starts_at");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_status_281d6d" ON "coaching_sessions" ("status", "starts_at");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_series__3d1086" ON "coaching_sessions" ("series_id", "series_index");
        CREATE TABLE IF NOT EXISTS "coaching_session_series" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "mentorship_id" CHAR(36) NOT NULL,
    "frequency" VARCHAR(16) NOT NULL,
    "occurrences" INT NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "created_by_id" CHAR(36)
) /* A weekly or biweekly run of sessions created in one call: each occurrence is a */;
CREATE INDEX IF NOT EXISTS "idx_coaching_se_organiz_c006f0" ON "coaching_session_series" ("organization_id");
        CREATE TABLE IF NOT EXISTS "coaching_session_slots" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "session_id" CHAR(36) NOT NULL,
    "user_id" CHAR(36) NOT NULL,
    "starts_at" TIMESTAMP NOT NULL,
    "ends_at" TIMESTAMP NOT NULL
) /* The time one participant spends in one session, for as long as the session holds */;
CREATE INDEX IF NOT EXISTS "idx_coaching_se_session_a136b5" ON "coaching_session_slots" ("session_id");
CREATE INDEX IF NOT EXISTS "idx_coaching_se_user_id_fc0c91" ON "coaching_session_slots" ("user_id", "starts_at", "ends_at");
        CREATE TABLE IF NOT EXISTS "goals" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "mentorship_id" CHAR(36) NOT NULL,
    "owner_id" CHAR(36) NOT NULL,
    "created_by_id" CHAR(36),
    "title" VARCHAR(200) NOT NULL,
    "description" TEXT,
    "status" VARCHAR(16) NOT NULL,
    "target_date" DATE,
    "progress" INT NOT NULL,
    "visibility" VARCHAR(16) NOT NULL,
    "achieved_at" TIMESTAMP,
    "archived_at" TIMESTAMP
) /* Owned by the teacher (coachee) of its mentorship. */;
CREATE INDEX IF NOT EXISTS "idx_goals_organiz_3f5693" ON "goals" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_goals_organiz_272b44" ON "goals" ("organization_id", "mentorship_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_goals_organiz_5619bc" ON "goals" ("organization_id", "owner_id");
        CREATE TABLE IF NOT EXISTS "mentorships" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "coach_id" CHAR(36) NOT NULL,
    "teacher_id" CHAR(36) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "proposed_by_id" CHAR(36),
    "accepted_at" TIMESTAMP,
    "ended_at" TIMESTAMP,
    "end_reason" VARCHAR(500)
) /* A coach working with a coachee ("teacher"). At most one open (not ended) mentorship */;
CREATE INDEX IF NOT EXISTS "idx_mentorships_organiz_3d3154" ON "mentorships" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_mentorships_organiz_580bf9" ON "mentorships" ("organization_id", "coach_id", "status");
CREATE INDEX IF NOT EXISTS "idx_mentorships_organiz_2d7ba6" ON "mentorships" ("organization_id", "teacher_id", "status");
        CREATE TABLE IF NOT EXISTS "session_notes" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL,
    "session_id" CHAR(36) NOT NULL,
    "mentorship_id" CHAR(36) NOT NULL,
    "author_id" CHAR(36) NOT NULL,
    "body" TEXT NOT NULL,
    "visibility" VARCHAR(16) NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_session_not_organiz_ff6b0d" ON "session_notes" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_session_not_organiz_fb6a0f" ON "session_notes" ("organization_id", "session_id", "created_at", "id");
        CREATE TABLE IF NOT EXISTS "calendar_feeds" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "user_id" CHAR(36) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "revoked_at" TIMESTAMP,
    "last_used_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_calendar_fe_user_id_80f09b" ON "calendar_feeds" ("user_id");
        CREATE TABLE IF NOT EXISTS "session_reminders" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "session_id" CHAR(36) NOT NULL,
    "offset_seconds" INT NOT NULL,
    "starts_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_session_rem_session_f90a19" UNIQUE ("session_id", "offset_seconds", "starts_at")
);
-- written by hand: a second open mentorship of a pair is refused by the database
CREATE UNIQUE INDEX IF NOT EXISTS "mentorships_one_open_per_pair"
    ON "mentorships" ("organization_id", "coach_id", "teacher_id") WHERE "status" <> 'ended';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "action_items";
        DROP TABLE IF EXISTS "coaching_session_series";
        DROP TABLE IF EXISTS "session_notes";
        DROP TABLE IF EXISTS "session_reminders";
        DROP TABLE IF EXISTS "mentorships";
        DROP TABLE IF EXISTS "coaching_sessions";
        DROP TABLE IF EXISTS "goals";
        DROP TABLE IF EXISTS "coaching_session_slots";
        DROP TABLE IF EXISTS "calendar_feeds";"""


MODELS_STATE = (
    "eJztXWFzm0jS/itT+nJOldZvIltJ3uzVWyV7vXve29h3sXLv3SVbZAQjiTMauAHZ8e7lv9"
    "/MAAKGAQOWZED9ZTeGaUBPQ0/30z09vw9WrkUc//ijT9jgHfp9QPGK8H9kjg/RAHteclQc"
    "CPDMkQPXfIQ8gmd+wLAZ8INz7PiEH7KIbzLbC2yX8qN07TjioGvygTZdJIfW1P73mhiBuy"
    "DBUj7Ip1/5YZta5Cvx4z+9W2NuE8fKPKdtiXvL40bw4MljHz9e/vCjHCluNzNM11mvaDLa"
    "ewiWLt0MX69t61jIiHMLQgnDAbFSP0M8ZfRz40PhE/MDAVuTzaNayQGLzPHaEWAM/jhfU1"
    "NggOSdxH9O/y96tNQww7i6nho3F1PDGNTAznSpwN2mgQDq92/hdRNA5NGBuMH5nyYfjk5e"
    "v5AQuH6wYPKkhGvwTQriAIeiEvQEZZMRgYmBgzzaP/Azgb0iesSzkgryViR6HP+jiQbiA4"
    "kKktcvBjeGbweAD/gPtK6p8xDpvkQB08v3FzfTyfu/iNutfP/fjsRvMr0QZ0by6INy9CjU"
    "l8u/rPB721wE/f/l9E9I/In+eX11oWp1M276z4F4JrwOXIO69wa2Uq9pfDRGjY9MtL72rI"
    "Zaz0qC1tui9RijlNqjp0+0Lv+f0/f5EjO9ruPxipY5Wl3U6wp/NRxCF8GS//lq9LJEsX+b"
    "fJAmlY9StHUVnRqF575l8bXN29oYp2S2g/Pj89beUD4ZVQD5ZFSIsTiVhZissO3UwXcj0D"
    "twR+PTCujyUYXwynNZfD3s+/cus4wl9pd1cM4J9tBojMbjSoiPSxAfq4gvHHeGHYO5Ti27"
    "oYg1Qjt6d9sJ9vZth7lmjNDAcNkCU/s3LJ7PqBdllFziCaFHy/TwlEBDsdTGHWE2v1ATT1"
    "N7gS04nN1Bu+X+ZT6sWM2xQajAWfNVnbncVmGqV7Yiqah5xkV3NXtsjuxXt2fX179k1Hp2"
    "OVVM2cf3ZxfcB5X65IPsQB6+vJoqX5rAzic8HNd8YsUTSFaqf/PH6yre0eti5+h1zjcSiH"
    "mEWvwZGuKdlwbcq+HuYD8w/IB4GrtiLy5pUAx6RlTBm/+EDuK9EA/x3f+ORicnb0YvT16/"
    "HZ++eTN++/ItHysfOH/qTZkpuvxJGJWMPvJWRsyuv7m0lpOaltlfPDD4OD3fFQm763fdcU"
    "1cLxBIJPaIMKH7AfikSsB1UhxvneTCLY+ROeE+vEn8PMo/31xfFYS3WTHVDbXNAP0HObZf"
    "xZw0gzzJNczWthPY1D8Wt32OdIOAKeO7xIAfvZ/8XdXF+S/XZ6qvKS5wpijGsv0mjmNaDL"
    "zGGl6jRRzSLAWQlYSIrG0Rmciozm9T2T5xYIbN23vMLCNzJnkdfOL7HCeNUTyLJH/88wfi"
    "SMZDo/YoqTxZB8ub8EodZPu+xW96fHSgSaKsyGpGmL+0vSdidZ3ikOJkfB8B4/6fIQyBEb"
    "i35Kkv2DUlU36tqbhUXwFjxHTvCHvgwyydl1IHrw/Rtc75n33CS5g0d+QWGbn8qdVopR7B"
    "FC/kTxL3FnfSGDFN4Yxi44rrZ7hhXhppu7rTOppPsl4nIqMZueNfiJyif4UCGyiwaefX3d"
    "FSCyiwOUStVymwkR5O7dR5Vqp3dQrbJ8kYmXOdLY1mcOult0LE9xr1W/6z6uAcj98jLWm6"
    "7q1N9kNNvnpdpYBMNUap+rHXKsC2J0wNfzc1Pn8xzFmpPYK9H5hPqzDAp8UM8GmOAZZuMv"
    "f8aa30XVaqdzCPX1Upt+GjCoGW55Rkhsy8EW5l67tBqmwPHaHuOj55f5d89Wx+uSZlPhlJ"
    "UHOr1ZziFWqqOSsJSYM2axmbJncnjObftPYCoPM26zxFHlZlBFMi26QF26vUR1jAXN4ti2"
    "4e2h9dRuwF/TN5kABf8ufA1NTVcihrNrsJaY7F54cZvt8w0+kXiv/2MM0scZ/cnE9+uBh8"
    "q5TI9ESBdibIf2IO5UZc8UN4wd4lnnaZSMkDp0mnaNEtTqoUqffR3MpggiIpJKUQdgQR+Y"
    "DIV3OJKf8B3yOPn+aX50AiO0B4wYFCoePi8wM+ipI5xwMF821fG1ZNt8CcDyGpc0D0PiR1"
    "DlHrkNRpTXohmv9qxiBZKQhDysMQPylbeWIk0s9CPzUgyb5ddWOSXbrW6eJBnVedOV/qUK"
    "eXskK3H/BbwW/tlAcDfushar2K3wrdfnbb7cd31os6+MbjIRZ4NBbwHKxxUkuaz0Tj91iW"
    "MWdkT4VG22+EMrMdRy5DD3CwrlVslJfcI+Q0WkncRchhtV1fk6iNVtvBIrJnTk3lcHskhn"
    "68W26mJVT11rmD95tX4R3CSAj+wUeirReyKeIWD6UvnM881RfXBOmfMk8vB4nf+2tuiZGm"
    "71UyFWRDRH4Wlh5BtN9So9PRuA+i/UPUepVoX5h8w6aGasgrr4opkO8hG7B9775+IPUsAR"
    "T3Q+y7zi6PeULbzu2262zb2/0U5wEKQPeTeS03y7XTr2p6r5sQP5p/1Xy3+iSs+iJvAeKe"
    "RdMqtE+otd1pXJ7u76KLyZX+LyXxeL7tzP76b3hrxu0DgQgYIuC2GoqOxkIQAR+i1qtEwL"
    "HNzam8JG+YiECcWyHOhVLY/aS/8YPjYo2DUNKfNhGB3rQZg7WN3rSwur2JKlo+gWj8Br+Z"
    "0+BDer4T+vXXHmFcWY20nBMGXbdZ13NsO1JVAVl5gYabL9wzQiPZaNeIRpb65a5clnDPiN"
    "Gr0zenb09en262itgcKdshIt89HNhiaBcAFKaewlwHM/fre+L7WH50eQ4zM2BYSmLKocYq"
    "HAvLc4CuBLqyU8QV0JWHqPUqdCU34a5mki+m0TYCPaQqgUN7Hhd1J2yZ6WBubSxjTQPdXt"
    "2PTGSq8F7C7H2yx921Yfmpy1vP+EexbBJm60QhzlbjbNkGlzBWb6rISvVvj9HxyyrrOfmo"
    "4m7FL+V6zhqLd3YZMmZ26dFEjOouPsUBo9jwNL9/0HZjxk8bfkLcIEzsqUtFIJCEQLKd3l"
    "BHQwoIJA9R61UCycQI1/AQMkIQUFYIKCE5XGvyavlXpE3+Q0braR4JZLT6mdG64Tq6pNMl"
    "c4PA0QYoyohhaQdnPlasNAyi0TuJULBpumsaGJa9ICFpZzo2SQ5AvALxSjdsR0c9V4hXDl"
    "Hr1RJfqmmungFTJSFyqRC5ZGe+GnjnBHu37d32wRbVg2um27a9tOAwFoEMSC4D4pq3TZOJ"
    "qixE4O2ZF/LuwD3HkEvwGJA18wq0FwCdt1nn1A1s/kOaaFsRBT23Tc8tSa5KVslxClvlZ8"
    "4Py5gLWx3ZmlLcQt9CS0g09Cqed83lVtyKYgbCvae1+d+0DBDAatQBlE7PgvsiSqc1dv7O"
    "DrTsdHTmEdsuxuyjTYymqRFZ4TBAidrCcZlP+YPAUQNHDQZtDwYNOOo+a70KR92lXpMtqV"
    "2v4RpuZraqRPRGoId8/2hchYPmowpJaHkui7Do5lsH4Hh8D/GFLkh7gXkHG4J2o6myR6gl"
    "YNoLytvvqhzGPZYxe6g5z+UEnzDLdYd4rTPLQdOovjLbSjkD8ZpFCIooZDA6oefaljIvCa"
    "ZScVfJnXvb6BPKSsIX1OYviF9KlBPJGq4aKSxVDEpkpu1ZuTpZW3ZwcUdkSXuOeE+dHZaR"
    "71iMM4gY+EwMfH7vMkHBy5YbpSMCzPiNwpdR/iL5Z5kE7JIGvH5X/PSOMrxVeP30p13dkU"
    "tkwIVr6e5MvUQXm3X3c0skesjpbp9sVObxyqRuVqyHUO+APk/7SDWB1lqHHjS02f4LzQj/"
    "mX5dmLNS/cP51ehtFQJ99LaYQRfntOtrbK8O0hmh/gF9Oq6A8+m4EGZxSkF5iSkPQWMXPg"
    "d1cV+/vGQ7tsgQ9+v0Fhkt4SAuLbLy3IBQ80E0ymLZILpw0LC0HDAZLvtpMWtnjbQiY3tL"
    "HmBVOjADXXES+8sMQCOYrYauwq7V8Iui4T2MpEbjKj4RH1VS6JXziub8/oR5zNalVIpRVs"
    "R6iPb+6pEKE1eF5UjVUlZt8++3vK575loaw3BmU8we9HjGEgqas4do3Ua38CwB6yzyuTeT"
    "JX8rzy6vJh/+sfHQNzPmL9dXP51pfPSzf0wvJgrkSz5nE1YrdkqJtCNo6tW+gi3rbdA2i9"
    "4Rp7JS8UO3qgFbsqagE1puCQsykYbyMiCrga4SIzk7LK3EMMMsHB/4TJUYK0IDl/lL2yst"
    "o9BIYl+0FiQk+jO9llIz2id8ePhX0ZCFix0DKjSAh2nvFNlnHgZWXvZM65opFFZe7pWMy0"
    "2uVbHNCQLPqZY12EG9NZcbgR6yb6NKG/SMSjboGYUb9GSKoLL+XeWqvawYvLgFjXpqr2vJ"
    "CULVXhZZi4c/9b2XRAqWs7THUcn7px1Zn+x6hO4q3Nv14uRUjF7DLmWlwChlMY1JjRqApk"
    "QATWXydFee2KWjETmhyIK5b5u5bwm1e+5ic8lxvgkN20DD76pDhmUkrxkNNiJLWY3pHUyQ"
    "by6JtXaIhe5si7gokkfuHGGUhIjHaMpfVx9hRtDH6fn36It4fX9zKfmCbB8FS/kqp1+fbV"
    "77M42IAML+4KPLydUEidPoaO4ycR6ZmE9ZFmYIUwuJgz5hNvFfHKMvEhlu6r78z5eA8H/K"
    "sp4v4mafqRBNnoNfGgfxQ/MfgcRjDNEt8QLExYi8sNiG08GevJGHWWCbtodpgOa2ExDmHw"
    "+GjWnyyqx4/JNqCSU/vpZYjiWQrbhl6kqKJA6QekJqYMPMh38IBIB7B+69reF3R1lY4N4P"
    "UevAvT93qADc+w6jsMTHqcxepmQAUDWZkfH/qkKalQJQIUO05wxRElXU9Foygj10WrrrpG"
    "gqKanVqIwyEQMFt1rBMaFTz1QmMj20lgfbXXfDCnY1heW45ma/qKpIp2X61xpgXGnmH5fM"
    "/OP8zC85Y8NjrviHZqf5YrDzkv2DfPtNXELUVoTPl3RRs8mITrZ/mO+k1ci/XJsaa1Zr84"
    "S0TP9g5lFAxUCiNJLIGZRNDqkZEbaNKLhluG8nCM5keqpXdKSEAFE9ojJdlgO1eHWyIgZr"
    "lPNrlH3RDouamkikBNZEBDoVq4Aygv16vnAi0b+5ayeecAhY/WpeVQ7MrJJjwPyrdpxmqX"
    "BFFiq92sw/Nd+AHnae746WoXKzz5puZ+XmjfS5B4/Xb0YDh3WqOA0/EapQy3lPyK3zgFyG"
    "Znb0b7aW5ZZxVSiKKriQzQ9TWTfpvEMix4tc01wzJvxcUXSJB8o7teXLf6YKPOIyduAj95"
    "6iI2LZEhOEHX6ZF9/LGs8QC3RLiCeLQpHgVB10z+/xnSlap3ym4sMUpx74szKCVtgiaM7c"
    "VcWqTKhLhLrElqaOulmhBnWJh6h1qEt8HssKdYl7gHbOQjawVgfUjFAPaxm2n2NP3MU67T"
    "kVqf2RtR0iwKEUZw+lONCAYZv2t6WRv+MGgwpxvxg2rBf1c5GKQf+Ux8Ey6hXhdno9oi82"
    "MffjQDy68lAuYcQ+D53pQvw/jKvDAHzpRltpZML+bd9ALLrEQXjJIw6FoNzQ/ZJQHv0LZm"
    "DDq784RtcU/SV8G27++gvCFJGvprOW10rerc+U33Jm80cJ7t14eaYnlm9KGAWvIB5Q9HNH"
    "R0vszL8T7RMQExuI+C+G/N78C+JSKO1XhktDN7SGWJlq03fy14jwdYZ9/g9i2pZYtsqvZR"
    "I0I8E94RcWTzFz3Vv+BNVXg6a6zWfqluMKV1gyCdREW6fSbgapQE0cotarUBPP3KGml4QE"
    "bMCy3fowWBTVzxwnLIrquYJbEsr+5GJnoIld5fFhWbAqGodVjE2v7ymP7WYPMmyKFhKjIx"
    "ntEvIiTvim+gDlgs9GV9h7k3qXPyWDpvL7mgYhSjscfx2itEPUOiSQnzvAgATyzqDdeAt1"
    "3tiUDAAKuTbobtOT7jbpJ8vhPCVfC+ocFLE+LKMqc00u/j7NeCW5fRozW2fGw9XNGzvZLE"
    "Ns3nZHdhWG7bqKJ8CMB+GG8KD1vnmBGcmKlTnmvXrRhV+tIOgxVxjoOkVQaRFYrqqWP93Z"
    "vj2zHTuoVcCXldrj95+quPC7agVEdQu5axShK6KwKKs9EXmeiMGMa6uhnrOioOe26bkleY"
    "v3G3phoMlepM4Oy3IYCUlReWmdzDmge5eJui50bwdLhFGUiEBHn+M+qZ8HL47RJEArDrks"
    "O5O1ZkfUDRDhL571IpWsyGU7dnKXz9QjDHnYDvdGSHNf7/jF5fyCHRR+J0h+HaKmT+6MYC"
    "+YHPi0XQ1STXkf2b8322w2HgxJFUiqtJQg6Ca9DkmVQ9Q6JFWex7JCS/vd8dPQ0n4ntYVd"
    "IEbF6hMBxq6M/I45EY+5XA9NslZ5SUhbqXyTSbxmzosiCjxEe5wVbYFsIyWn5UDDLdewUb"
    "+/ZFaqD8nRHfWYbAmpFy2UvXIDMtCweunTwzJaL16CQ/nIasResQIakl3ZVUD5CmLgsoDL"
    "amfw0FFWA7isQ9Q6cFnPY1m7tEi2LU43VF23AVpuKZZuXaYwIwSQKpDOXEtTQ1VctBqP70"
    "Vt8L7LVaFsbS8UbUsi4nPMf5fFtUpINkzUnR+W9paKRhpzPnT3QTHEtxDfttNgdzTSgfj2"
    "ELVeJb5tc0ud7sWzgXtLqLHE/rKOf5WV2o5/9fhMtbdEw/b7ojJyxyFrYqqykpC2a49lyk"
    "9IDvYDY+030rMqC5pum6ZbEiPdEBp8ICuhRDbQpg1T54dV8oYsGr2DMOmTQn2687lPAsMn"
    "/N0Iw7KkM9uvEFNBTAXeNcRUoPV9x1SQ1dpFw5vcXJcFtng3j5wgbOih29EamsGCo71DR3"
    "tCmG0uBxoXOzpT6lzjZExrEg+FFkdrwTVWJvIg2kvjbMXEFPvEdzxI0rYsKklFJiK9SAAr"
    "zaHG4wpUGR9V3BxKnFNqFjyvDsLR8B6i+6pSwfOrkoLnV/nWW/yOAaGaSfPnm+urosV4Gx"
    "F1urTNAP0HObbfRY+kBFwBRmaOzBUzqHULyuQnLnD23Jn1b/8FRBh8TQ=="
)
