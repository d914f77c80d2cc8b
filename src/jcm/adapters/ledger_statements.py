"""The ledger's compiled statements: pages of blocks, accounts, decisions, inserts.

The hot ones run on the driver cursor (``DriverStatement``); see docs/architecture.md."""

from sqlalchemy import (
    bindparam,
    func,
    insert,
    select,
    text,
    tuple_,
    union_all,
    update,
)

from jcm.adapters import schema as t
from jcm.adapters.driver_statement import DriverStatement

_B = t.unit_blocks.c


BLOCK_COLUMNS = [c for c in t.unit_blocks.c]

PAGE_FIRST = (
    select(*BLOCK_COLUMNS)
    .where(_B.account_id == bindparam("account"))
    .order_by(_B.decision_id, _B.serial_start)
    .limit(bindparam("limit"))
)
PAGE_AFTER = (
    select(*BLOCK_COLUMNS)
    .where(
        _B.account_id == bindparam("account"),
        tuple_(_B.decision_id, _B.serial_start)
        > tuple_(bindparam("after_decision"), bindparam("after_start")),
    )
    .order_by(_B.decision_id, _B.serial_start)
    .limit(bindparam("limit"))
)
ACCOUNT_WITH_REGISTRY = (
    select(
        t.accounts,
        t.registries.c.name.label("registry_name"),
        t.registries.c.active.label("registry_active"),
    )
    .join(t.registries, t.registries.c.code == t.accounts.c.registry)
    .where(t.accounts.c.id == bindparam("account"))
)
# A sender's account is locked FOR NO KEY UPDATE (key_share): it still excludes every other
# sender, but not the FOR KEY SHARE lock PostgreSQL's foreign-key check takes on the
# account that receives a block. With FOR UPDATE, A→B and B→A at once deadlock (each
# holds its source and waits for the other's to check its destination).
ACCOUNT_WITH_REGISTRY_LOCKED = ACCOUNT_WITH_REGISTRY.with_for_update(of=t.accounts, key_share=True)
ACCOUNTS = (
    select(
        t.accounts,
        t.registries.c.name.label("registry_name"),
        t.registries.c.active.label("registry_active"),
    )
    .join(t.registries, t.registries.c.code == t.accounts.c.registry)
    .where(t.accounts.c.id.in_(bindparam("accounts", expanding=True)))
    .order_by(t.accounts.c.id)
)
ACCOUNTS_LOCKED = ACCOUNTS.with_for_update(of=t.accounts, key_share=True)
REGISTRY = select(t.registries).where(t.registries.c.code == bindparam("code"))
DECISION = select(t.decisions).where(t.decisions.c.id == bindparam("decision"))
DECISION_LOCKED = DECISION.with_for_update(key_share=True)  # see the sender lock
IDEMPOTENCY = select(t.idempotency_keys).where(t.idempotency_keys.c.key == bindparam("key"))
INSERT_TRANSACTIONS = insert(t.transactions)
INSERT_TRANSACTION = insert(t.transactions).returning(t.transactions.c.id)
MAX_TRANSACTION_ID = select(func.coalesce(func.max(t.transactions.c.id), 0))
NEXT_TRANSACTION_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('transactions', 'id')) FROM generate_series(1, :n)"
)
INSERT_RANGES = insert(t.transaction_ranges)
INSERT_BLOCKS = insert(t.unit_blocks)

# One fixed-shape statement (so SQLAlchemy compiles it once): the first page of each of
# PREFETCH_WIDTH accounts, each an index range scan.
PREFETCH_WIDTH = 64
FIRST_PAGES = union_all(
    *[
        select(*BLOCK_COLUMNS)
        .where(_B.account_id == bindparam(f"a{i}"))
        .order_by(_B.decision_id, _B.serial_start)
        .limit(bindparam("limit"))
        .subquery()
        .select()
        for i in range(PREFETCH_WIDTH)
    ]
)

# The registry's hottest statements run on the driver cursor (see driver_statement.py).
D_ACCOUNT = DriverStatement(ACCOUNT_WITH_REGISTRY)
D_ACCOUNT_LOCKED = DriverStatement(ACCOUNT_WITH_REGISTRY_LOCKED)
D_PAGE_FIRST = DriverStatement(PAGE_FIRST)
D_PAGE_AFTER = DriverStatement(PAGE_AFTER)
D_FIRST_PAGES = DriverStatement(FIRST_PAGES)
TX_COLUMNS = ["kind", "registry", "source", "destination", "quantity", "detail", "created_at"]
D_INSERT_TRANSACTION = DriverStatement(INSERT_TRANSACTION, TX_COLUMNS)
D_INSERT_TRANSACTIONS = DriverStatement(INSERT_TRANSACTIONS, ["id", *TX_COLUMNS])
D_INSERT_RANGES = DriverStatement(
    INSERT_RANGES, ["transaction_id", "decision_id", "serial_start", "serial_end"]
)
D_INSERT_BLOCKS = DriverStatement(INSERT_BLOCKS, [c.name for c in t.unit_blocks.c][1:])
ACCOUNT_FIELDS = [c.name for c in t.accounts.c] + ["registry_name", "registry_active"]

FIRST_PAGES_LATERAL = text(
    "SELECT b.* FROM unnest(CAST(:ids AS text[])) AS wanted(account) CROSS JOIN LATERAL ("
    " SELECT * FROM unit_blocks WHERE account_id = wanted.account"
    " ORDER BY decision_id, serial_start LIMIT :limit) AS b"
)

UPDATE_BLOCK = (
    update(t.unit_blocks)
    .where(_B.id == bindparam("b_id"))
    .values(
        serial_start=bindparam("serial_start"),
        serial_end=bindparam("serial_end"),
        registry=bindparam("registry"),
        account_id=bindparam("account_id"),
        authorised_uses=bindparam("authorised_uses"),
        authorisation_ref=bindparam("authorisation_ref"),
        first_transfer_trigger=bindparam("first_transfer_trigger"),
        first_transferred=bindparam("first_transferred"),
        ca_status=bindparam("ca_status"),
    )
)
D_UPDATE_BLOCK = DriverStatement(UPDATE_BLOCK)
