-- dataguard PostgreSQL fixture (loaded by scripts/start-databases.sh as the test user).
-- Planted personal data, clean columns and decoys; a large table whose personal data
-- sits ONLY in its last rows.  Re-runnable: drops and recreates its schemas.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hr CASCADE;
DROP SCHEMA IF EXISTS sales CASCADE;
DROP TABLE IF EXISTS public.clean_lookup CASCADE;
DROP TABLE IF EXISTS public.big_events CASCADE;
DROP TABLE IF EXISTS public.no_pk_notes CASCADE;
DROP VIEW IF EXISTS public.v_employees CASCADE;

CREATE SCHEMA hr;
CREATE SCHEMA sales;

-- ---------------------------------------------------------------- hr.employees
CREATE TABLE hr.employees (
    id            serial PRIMARY KEY,
    full_name     text NOT NULL,
    email         varchar(200),
    telefono      varchar(40),
    iban          varchar(40),
    ssn           varchar(20),
    active        boolean NOT NULL DEFAULT true,
    hired_at      timestamp NOT NULL DEFAULT '2020-01-01 09:00',
    birth_date    date,
    salary        numeric(10,2),
    rating        real,
    badge         uuid,
    notes         text,
    profile       jsonb,
    photo         bytea,
    card_numeric  numeric(20,0)
);
INSERT INTO hr.employees (full_name, email, telefono, iban, ssn, birth_date, salary, rating, badge, notes, profile, photo, card_numeric) VALUES
 ('Jane Doe', 'jane.doe@example.org', '+1 212 555 0143', 'GB82WEST12345698765432', '536-22-8843', '1980-04-12', 5123.50, 4.5,
  '6f1c2b9e-0a6d-4f5e-9a43-2a8d8f0b1c11',
  'Spoke with Maria Gonzalez about her medical leave; she asked us to write to maria.gonzalez@example.com and not to call her at home.',
  '{"contact": {"email": "jd.private@example.net", "phone": "+44 20 7946 0958"}, "tags": ["staff", "geneva"], "ids": {"passport_no": 123456789}}',
  convert_to('Scanned letter. Contact: letters.jane@example.org', 'UTF8'),
  4111111111111111),
 ('John Smith', 'john.smith@example.org', '+1 646 555 0199', NULL, NULL, '1975-11-02', 6100.00, 3.9,
  'a3bb189e-8bf9-3888-9912-ace4e6543002',
  'Short note.',
  '{"contact": {"email": null}, "tags": []}',
  '\x89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff6100000000'::bytea,
  5500005555555559),
 ('Aiko Tanaka', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- ---------------------------------------------------------------- sales.payments
CREATE TABLE sales.payments (
    payment_id   varchar(20) PRIMARY KEY,
    card_number  varchar(25),
    order_no     varchar(30),
    amount       numeric(10,2),
    paid_at      timestamptz DEFAULT '2024-05-01 10:00+00'
);
INSERT INTO sales.payments (payment_id, card_number, order_no, amount) VALUES
 ('PAY-0001', '4111111111111111', 'ORD-2024-000123', 19.99),
 ('PAY-0002', '5500005555555559', 'ORD-2024-000124', 250.00),
 ('PAY-0003', '5500 0055 5555 5559', 'ORD-2024-000125', 3.10);

-- ---------------------------------------------------------------- sales.decoys (nothing personal)
CREATE TABLE sales.decoys (
    id            bigserial PRIMARY KEY,
    ref_uuid      uuid,
    ref_text      varchar(40),
    order_number  varchar(30),
    bad_card      varchar(20),
    qty           smallint
);
INSERT INTO sales.decoys (ref_uuid, ref_text, order_number, bad_card, qty) VALUES
 ('0b5e7d2c-3f4a-4c1e-8d2f-6a7b8c9d0e1f', '0b5e7d2c-3f4a-4c1e-8d2f-6a7b8c9d0e1f', 'ORD-2024-778812', '4111111111111112', 3),
 ('1c6f8e3d-4a5b-4d2f-9e3a-7b8c9d0e1f2a', '1c6f8e3d-4a5b-4d2f-9e3a-7b8c9d0e1f2a', 'ORD-2024-778813', '1234567812345678', 1);

-- ---------------------------------------------------------------- public.clean_lookup (clean)
CREATE TABLE public.clean_lookup (
    code   varchar(10) PRIMARY KEY,
    label  varchar(40) NOT NULL
);
INSERT INTO public.clean_lookup VALUES ('R', 'Red'), ('G', 'Green'), ('B', 'Blue');

-- ---------------------------------------------------------------- public.no_pk_notes (no primary key)
CREATE TABLE public.no_pk_notes (
    author  varchar(60),
    body    text
);
INSERT INTO public.no_pk_notes VALUES ('desk', 'Caller left number +1 212 555 0143 for a callback.');

-- ---------------------------------------------------------------- public.big_events (200,000 rows)
-- Personal data ONLY in the last 5 rows: a sample misses them, sample_rows=None finds them.
CREATE TABLE public.big_events (
    id          bigint PRIMARY KEY,
    event_code  varchar(20) NOT NULL,
    message     text NOT NULL
);
INSERT INTO public.big_events (id, event_code, message)
SELECT n, 'EV-' || lpad(n::text, 6, '0'), 'batch job ' || (n % 97) || ' finished'
FROM generate_series(1, 199995) AS n;
INSERT INTO public.big_events (id, event_code, message)
SELECT n, 'EV-' || lpad(n::text, 6, '0'), 'contact last.row.' || n || '@registry-juba.org'
FROM generate_series(199996, 200000) AS n;

-- a view is never scanned (its table is)
CREATE VIEW public.v_employees AS SELECT full_name, email FROM hr.employees;

ANALYZE hr.employees;
ANALYZE sales.payments;
ANALYZE sales.decoys;
ANALYZE public.clean_lookup;
ANALYZE public.no_pk_notes;
ANALYZE public.big_events;
