from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    # hand-written (aerich repeated statements): one row per (account, client IP) and one
    # account-wide row per account; existing rows become the account-wide ones
    return """
        ALTER TABLE "sign_in_throttles" DROP CONSTRAINT IF EXISTS "sign_in_throttles_account_digest_key";
        ALTER TABLE "sign_in_throttles" ADD "client_digest" VARCHAR(64) NOT NULL DEFAULT '';
        ALTER TABLE "sign_in_throttles" ADD "window_started_at" TIMESTAMPTZ;
        ALTER TABLE "sign_in_throttles" ADD "notified_at" TIMESTAMPTZ;
        CREATE UNIQUE INDEX "uid_sign_in_thr_account_bcb70e" ON "sign_in_throttles" ("account_digest", "client_digest");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DELETE FROM "sign_in_throttles" WHERE "client_digest" <> '';
        DROP INDEX IF EXISTS "uid_sign_in_thr_account_bcb70e";
        ALTER TABLE "sign_in_throttles" DROP COLUMN "notified_at";
        ALTER TABLE "sign_in_throttles" DROP COLUMN "window_started_at";
        ALTER TABLE "sign_in_throttles" DROP COLUMN "client_digest";
        ALTER TABLE "sign_in_throttles" ADD CONSTRAINT "sign_in_throttles_account_digest_key" UNIQUE ("account_digest");"""


MODELS_STATE = (
    "eJztXW1zozgS/iuUv9xsVS6V+CWZ29u6KieT2fXuJt5KnNurnZqiZJBtVbBgQeRl5/LfV5"
    "LBgBAE8EsA68tMLNQCnoZWP90t8a2ztE1oecf3HnQ732vfOhgsIf0j0X6kdYDjRK2sgYCp"
    "xTv6tAdvAVOPuMAgtHEGLA/SJhN6hoscgmxMW7FvWazRNmhHhOdRk4/Rnz7UiT2HZMEv5M"
    "tX2oywCZ+hF/50HvQZgpaZuE5ksnPzdp28OLzt/n706TPvyU431Q3b8pc46u28kIWN1919"
    "H5nHTIYdm0MMXUCgGbsNdpXB7YZNqyumDcT14fpSzajBhDPgWwyMzg8zHxsMA42fif3T/0"
    "9wabFuun4znuh3VxNd75TAzrAxwx1hwoD69roaNwKEt3bYCS5/Gt5+6J19xyGwPTJ3+UEO"
    "V+eVCwICVqIc9Ahlw4UMEx2QNNqf6BGCllCOeFJSQN4MRI/DP6poIGyIVBA9fiG4IXw7AL"
    "xDb9AcY+sl0H2OAiaj66u7yfD6N3a6pef9aXH8hpMrdqTLW1+E1g8rfdn0zVq9b+tBtN9H"
    "k5809lP7Y3xzJWp13W/yR4ddE/CJrWP7SQdm7DENW0PUaM9I675jVtR6UlJpvS5aDzGKqT"
    "24+kjr/P+Uvi8XwJXrOuwvaJmi1US9LsGzbkE8Jwv687R7kqPY/w5vuUmlvQRt3QSHuqtj"
    "r0l8kfFQGuOYzHZwfnve2hvKvW4BkHvdTIzZoSTEcAmQVQbftUDrwO0O+gXQpb0y4eXHkv"
    "g6wPOebNfUF8BblME5JdhCo9EdDAohPshBfCAiPrfsKbB017ZK2Q1BrBLawbNbT7C3bzsM"
    "33UhJrrtzgFGfwF2fXo5lpEzxAbUo2Z62IRoCJZaf4QuogNV8TSlA2zB4WwO2jX3L9O0Yj"
    "kDOsQMZ8lbdWFTWwWwXNmCpKDmKRXd1eyxbtmvbi/G418Tar0YTQRTdn99cUV9UK5P2gkR"
    "3jy6mQhvGsPOg5SOS16x7AkkKdW++eOsiHd0lu0cnaV8I4aYA7FJr6Ei3mlphXsx3C3gEd"
    "0j0JHYFTQfYZINekJUwJveQgPxnrOL+Oe/ut1e77x70jv7OOifnw8+nnykffkFpw+d55mi"
    "0Y/MqCT0kbYybHb9y8alnNS4zP74QOd+crmrIOyun3XLNkA5IhBJ7BFhiPcDcK8I4epl86"
    "1eim45LpxB6sMb0Euj/PPd+CaD3ibFRDcUGUT7v2Yhr4g5qQZ5lGuY+sgiCHvH7LTvkW5g"
    "MCV8lxDwD9fD/4m6uPx1fCH6mmyAC0ExJvKqOI5xMeU1lvAaTWjBaimApKRiZHVjZCyjOn"
    "uIZftYwxQYD0/ANfXEkehx8KDnUZwkRvEikPz8yy20eMRDovYgqTz0yeJuNVIDo32v4ZMe"
    "tnYkSZQlXE6h6y2QsyFW41gMKUzGtxEw6v/pzBDoxH6Amz5gYwwndKwJG6qtgLnQsB+h+0"
    "K7mTIvpQxet8FYl/Rnm/BiJs3u2llGLn1o2V2KLQCDOb8ldm52JokRkxTOCDYuu36GGuaF"
    "HrerO62j+cLrdYJgtAsf6RvCp+ivqsBGFdjU8+1uaKmFKrA5RK0XKbDhHk7p1HlSqnV1Ct"
    "sPkrlwRnW20KvBLZfeSiC+1ag/0Nsqg3PYf49hScO2HxDcT2jy9KxIAZlojGL1Y2ciwMhh"
    "poY+mxKfPxvmpNQewd4PzP0iEeB+dgS4n4oAczeZev64VPouKdU6mAenRcptaK9MoPkxIZ"
    "nBM2+QWtnybpAo20JHqLmOT9rfhc8OosNVKfNJSCo111rNsbhCSTUnJVXSoM5aBoZB3Qm9"
    "+jstHUDpvM46jwUPi0YEYyLbDAvWV6lvRAFTebckumloP9suRHP8C3zhAI/odQBsyGo5hD"
    "WbzYQ0FcWnzS54Wkem4w8UvfdVmpnjPry7HH666rwWSmQ6rEA7QfI3zKHcsRFvVwO2LvG0"
    "y0RKGjhJOkWKbnZSJUu9b+ZWOkMtkNK4lAYsFoh80eCzsQCY3sC/NYcepsNTIDVENDCnQG"
    "krx8WjDZ4WJHOOOwLm2x5brZqugTk/UkmdAwrvq6TOIWpdJXVqk14I5r+SHCQppWhIPg3x"
    "orKVDZlIOwv9REKSfLrKcpJdutbx4kGZV504nutQx5eyqt1+lN+q/NZGeTDKbz1ErRfxW9"
    "VuP7vd7cez/HkZfMP+igu8yQUcC0ic1JzNZ4L+eyzLmLlwT4VG298IZYosiy9DJ4D4pYqN"
    "0pJ7hBwHK4mbCLlabdfWJGql1XZqEdk7p6ZSuL3Bod/eLTexJVTxrXM71+tH4XsNaEzwH5"
    "7GtvXSENaoxdPiA6czT+XFJST9S+LqeSd2v18VeVfkvRE2pKE0TpH3Q9R6EfLOLLiOsC7a"
    "5cKLXDLkW0jut++sl+dF78KHqFuBHhu72mWDXTi3u/tm3Z7uTZwHVc+5n0RqvlkunU0Vs3"
    "XNhPjNdKrkvZXnVMUHeQsQt4wci9BuUDq7U5od365FRrGF7Vxy6HV6F5n9bafh+C61D1Dt"
    "paEYcF0NRUO5kGLAh6j1Igw4tLkpleekASMRxXML8FxV2bqfbDZ4sWwgcRBytpuNRNRWsw"
    "mDtY2tZtVi9SqqqPkEIvEbvGpOg6ey7Y3Qr+c70KXKqqTllLDSdZ11PQPI4qoicOkQSWw+"
    "8xMQEslKH4GoZKlPduWyrD4B0T3tn/c/9s766y8/rFvyPviQ3gxcRYvV6n8VwpSHMH0ytZ"
    "+voecB/tKlY5iJDke5QUzeVV+u+qrVNipcqcKVjQpcqXDlIWq9SLiSmnBbMslnh9HWAi0M"
    "VaoY2vu4qDuJlhkWoNbG1H1MZJ/efmMiE4X3QrP3GT1urg1LT12OP6UvxaIKzZaJKp4t8m"
    "y+qy103XJTRVKqfZ8MHZwUWZ5Je2VvPnzCl2eWWIuzS8qY+OiOhDGKH+XJJozs+6XpzwFt"
    "lzN+Wccn2AlWiT218kMRyWZ4Qw2lFIpIHqLWixDJyAiX8BASQopQFiCUKjlcavKq+VskTf"
    "6rjNZmHonKaLUzo3VHdTTCk4VrE2JJCYrQ4yh3Q2bal600JEHvnTAUYBi2j4luojlcBe0M"
    "C8GoQfEVxVeaYTsa6rkqvnKIWi+W+BJNc/EMmCipmEsB5pKc+UrgnRJs3Vfstg82qx70Xd"
    "lX2HMLDkMRlQFJZUBs46FqMlGUVQy8PvNC2h14ohhSCcoB3WpegXQApfM66xzbBNEbqaJt"
    "QVTpuW56rklylUeVLCtz5/vE8aO8yAUSe9amFDfTt5AGJCp6Fe+75nIrbkV2BMJ+wqXjv3"
    "EZFQAWWYcK6bSM3GeFdGpi54fQRcZCZuGDI7m2HUR92mPVA40drFF/hK7880XZMY+YSAuD"
    "S93BoEDAg/bKjHjwY0lLz16qEggH3VuI7mmhssTTnLLE05PUVyPoGQnEkkk0u5A9JqIK2U"
    "sWsr/rZPb6Nz4tt2c="
)
