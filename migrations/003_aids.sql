-- guichet — aids, commitments and budgets (the first change after the shipped schema 1).
--
-- The département pays students and professionals (a grant, an installation aid, a mileage
-- allowance) and, for most schemes, asks a commitment back: practise N years in the département,
-- proved by one attestation a year. Amounts are whole euros (INTEGER). Payments, attestations and
-- repayments received are append-only, like the case log.

-- Schemes (dispositifs): a reference list another département edits from the command line
-- (guichet dispositif set …), never in the code.
CREATE TABLE scheme (
    code             TEXT PRIMARY KEY,
    label            TEXT NOT NULL,
    type_code        TEXT NOT NULL REFERENCES request_type (code),
    commitment_years INTEGER NOT NULL DEFAULT 0 CHECK (commitment_years BETWEEN 0 AND 50),
    min_amount       INTEGER NOT NULL DEFAULT 0 CHECK (min_amount >= 0),
    max_amount       INTEGER NOT NULL CHECK (max_amount >= min_amount),
    bonus            INTEGER NOT NULL DEFAULT 0 CHECK (bonus >= 0),  -- largest bonus (maître de stage)
    -- How the aid is paid: once, by academic year, monthly; `installment` is the usual amount of
    -- one payment (0: the amount granted split evenly).
    payment_pattern  TEXT NOT NULL DEFAULT 'unique'
                       CHECK (payment_pattern IN ('unique', 'annuel', 'mensuel')),
    installment      INTEGER NOT NULL DEFAULT 0 CHECK (installment >= 0),
    -- What a breach asks back: the paid amount pro rata of the months not served, all of it, or
    -- nothing.
    repayment_rule   TEXT NOT NULL DEFAULT 'prorata'
                       CHECK (repayment_rule IN ('prorata', 'total', 'aucun')),
    position         INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;

-- The aid granted on one request (at most one per request: a renewal is a new request).
CREATE TABLE aid (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL UNIQUE REFERENCES request (id),
    scheme_code  TEXT NOT NULL REFERENCES scheme (code),
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    bonus        INTEGER NOT NULL DEFAULT 0 CHECK (bonus >= 0),
    decided_on   TEXT NOT NULL,                -- commission or assembly vote
    installments INTEGER NOT NULL DEFAULT 1 CHECK (installments >= 1),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX aid_decided ON aid (decided_on, scheme_code);
CREATE INDEX aid_scheme ON aid (scheme_code, decided_on);

-- Money actually paid for an aid. The total never exceeds amount + bonus (checked on write).
CREATE TABLE aid_payment (
    id         TEXT PRIMARY KEY,
    aid_id     TEXT NOT NULL REFERENCES aid (id),
    paid_on    TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) STRICT;
CREATE INDEX aid_payment_aid ON aid_payment (aid_id, paid_on);
CREATE INDEX aid_payment_on ON aid_payment (paid_on);

-- The beneficiary's commitment to practise `years` years from `started_on` (end of studies or
-- installation date) at `commune`. Honoured on `ends_on` unless broken before.
CREATE TABLE commitment (
    id         TEXT PRIMARY KEY,
    aid_id     TEXT NOT NULL UNIQUE REFERENCES aid (id),
    started_on TEXT NOT NULL,
    years      INTEGER NOT NULL CHECK (years BETWEEN 1 AND 50),
    ends_on    TEXT NOT NULL,
    commune    TEXT NOT NULL DEFAULT '',
    broken_on  TEXT,
    repayment  INTEGER CHECK (repayment >= 0),   -- asked back on a breach
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_on > started_on),
    CHECK ((broken_on IS NULL) = (repayment IS NULL)),
    CHECK (broken_on IS NULL OR (broken_on >= started_on AND broken_on < ends_on))
) STRICT;
CREATE INDEX commitment_ends ON commitment (ends_on);

-- The yearly proof of practice, one row per attestation received.
CREATE TABLE attestation (
    id            TEXT PRIMARY KEY,
    commitment_id TEXT NOT NULL REFERENCES commitment (id),
    received_on   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
) STRICT;
CREATE INDEX attestation_commitment ON attestation (commitment_id, received_on);

-- Repayments received after a breach, until the amount asked is paid back.
CREATE TABLE repayment (
    id            TEXT PRIMARY KEY,
    commitment_id TEXT NOT NULL REFERENCES commitment (id),
    paid_on       TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
) STRICT;
CREATE INDEX repayment_commitment ON repayment (commitment_id, paid_on);

-- The amount voted for a scheme and a year.
CREATE TABLE budget (
    scheme_code TEXT NOT NULL REFERENCES scheme (code),
    year        INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (scheme_code, year)
) STRICT;

CREATE TRIGGER aid_payment_append_only_update BEFORE UPDATE ON aid_payment
BEGIN SELECT RAISE(ABORT, 'aid_payment is append-only'); END;
CREATE TRIGGER aid_payment_append_only_delete BEFORE DELETE ON aid_payment
BEGIN SELECT RAISE(ABORT, 'aid_payment is append-only'); END;
CREATE TRIGGER attestation_append_only_update BEFORE UPDATE ON attestation
BEGIN SELECT RAISE(ABORT, 'attestation is append-only'); END;
CREATE TRIGGER attestation_append_only_delete BEFORE DELETE ON attestation
BEGIN SELECT RAISE(ABORT, 'attestation is append-only'); END;
CREATE TRIGGER repayment_append_only_update BEFORE UPDATE ON repayment
BEGIN SELECT RAISE(ABORT, 'repayment is append-only'); END;
CREATE TRIGGER repayment_append_only_delete BEFORE DELETE ON repayment
BEGIN SELECT RAISE(ABORT, 'repayment is append-only'); END;

-- The Loiret's schemes (Plan Priorité Santé 2023-2027), where the file has the request type:
-- study grants per academic year (1,200 to 18,000 € a year, 5 years in the Loiret), installation
-- aid (7,000 to 35,000 € by profession, +2,000 € for a maître de stage, 5 years), the rural
-- internship mileage allowance (60 to 200 € a month, no commitment).
INSERT INTO scheme (code, label, type_code, commitment_years, min_amount, max_amount, bonus,
                    payment_pattern, installment, repayment_rule, position)
SELECT s.column1, s.column2, s.column3, s.column4, s.column5, s.column6, s.column7, s.column8,
       s.column9, s.column10, s.column11
FROM (VALUES
    ('bourse_etudes', 'Bourse d''études', 'bourse', 5, 1200, 18000, 0, 'annuel', 0, 'prorata', 1),
    ('aide_installation', 'Aide à l''installation', 'installation', 5, 7000, 35000, 2000,
     'unique', 0, 'prorata', 2),
    ('indemnite_stage', 'Forfait stage en zone rurale', 'stage', 0, 60, 1200, 0, 'mensuel', 0,
     'aucun', 3)
) s
WHERE EXISTS (SELECT 1 FROM request_type t WHERE t.code = s.column3);
