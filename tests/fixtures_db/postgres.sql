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

-- ================================================================ schema crm (column semantics)
-- Realistic tables judged per (table, column, entity): look-alike code columns full of
-- 10-digit numbers, credential and password-hash columns, a DATE date-of-birth column,
-- JSONB with key paths, INET, arrays, user agents, free-text memos, and document blobs.
-- Expected findings: tests/test_database_columns.py.
DROP SCHEMA IF EXISTS crm CASCADE;
CREATE SCHEMA crm;

CREATE TABLE crm.customers (
    customer_id    bigint PRIMARY KEY,
    full_name      text NOT NULL,
    email          varchar(200),
    phone          varchar(40),
    date_of_birth  date,
    national_id    varchar(20),
    profile        jsonb,
    last_ip        inet,
    tags           text[],
    user_agent     text,
    notes          text,
    created_at     timestamptz NOT NULL DEFAULT '2024-05-01 10:00+00',
    avatar         bytea
);
INSERT INTO crm.customers VALUES
 (4505577104, 'Amina Yusuf', 'amina.yusuf@mailbox.org', '+254 712 345 678', '1980-04-12', '27845193',
  '{"dob": "1980-04-12", "contact": {"mobile": "+254 733 111 222"}, "prefs": {"newsletter": true, "language": "en"}, "loyalty_no": "4505577104"}',
  '41.202.219.70', '{vip,newsletter}',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Paid invoice 2950184726 by bank transfer. Prefers morning calls.', '2024-05-01 10:00+00',
  '\x89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff6100000000'::bytea),
 (2950184726, 'John Okello', 'john.okello@mailbox.org', '0712 345 679', '1975-11-02', '31562048',
  '{"dob": "1975-11-02", "contact": {"mobile": "+256 772 123 456"}, "prefs": {"newsletter": false, "language": "sw"}, "loyalty_no": "2950184726"}',
  '196.201.214.33', '{newsletter}',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Refund for order 9434765919 approved on 3 May.', '2024-05-02 11:30+00', NULL),
 (9434765919, 'Maria Fernandes', 'maria.fernandes@mailbox.org', '+41 22 917 1234', '1990-02-03', '29374615',
  '{"dob": "03/02/1990", "contact": {"mobile": "+41 79 555 12 34"}, "prefs": {"newsletter": true, "language": "fr"}, "loyalty_no": "9434765919"}',
  '102.89.34.7', '{}', 'curl/8.4.0', 'Item 7700900123 out of stock until June.', '2024-05-03 09:15+00', NULL),
 (7700900123, 'David Mensah', 'david.mensah@mailbox.org', '+233 24 123 4567', '1968-11-30', NULL,
  '{"prefs": {"newsletter": false}}', NULL, NULL, 'okhttp/4.9.0', 'Delivery slot moved to Friday.',
  '2024-05-04 16:45+00', NULL);

CREATE TABLE crm.orders (
    order_id         varchar(12) PRIMARY KEY,
    invoice_no       varchar(12),
    sku              varchar(12),
    customer_ref     bigint,
    amount           numeric(10,2),
    tracking_number  varchar(20),
    memo             text,
    ordered_at       timestamp
);
INSERT INTO crm.orders VALUES
 ('4505577104', '2950184726', '9434765919', 4505577104, 12.50, '7700900123', 'Paid invoice 2950184726 by transfer', '2024-05-01 10:00'),
 ('2950184726', '4505577104', '7700900123', 2950184726, 250.00, '9434765919', 'Refund for order 4505577104 approved', '2024-05-02 11:30'),
 ('9434765919', '7700900123', '4505577104', 9434765919, 3.10, '2950184726', 'Item 7700900123 back-ordered', '2024-05-03 09:15'),
 ('7700900123', '9434765919', '2950184726', 7700900123, 99.99, '4505577104', 'Gift wrap requested', '2024-05-04 16:45');

CREATE TABLE crm.app_users (
    id                     serial PRIMARY KEY,
    username               varchar(40) NOT NULL,
    password_hash          varchar(200),
    legacy_password        varchar(64),
    api_key                varchar(80),
    aws_secret_access_key  varchar(64),
    password_changed_at    timestamp,
    mfa_enabled            boolean
);
INSERT INTO crm.app_users (username, password_hash, legacy_password, api_key, aws_secret_access_key, password_changed_at, mfa_enabled) VALUES
 ('amina.y', '$2b$12$KIXQJvW1nBqYdV1cDUu1ZeUo0o5CnqJ9oMGm8e1o/3kMzU6pQ2x8K', 'hunter2!', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', '2024-01-10 08:00', true),
 ('john.o', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', 'Tr0ub4dor&3',
  'sk_live_9fG72KpQwErTyUiOp1aSdF3g', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', '2023-11-02 14:20', false),
 ('maria.f', 'pbkdf2_sha256$600000$Dx8uSbZdTQ2n$Zb1JzJ8cJ0f3v3w6rV0o7ZQ3m7Vt3s2tq8bq9m3dQ4E=', '********', NULL, NULL,
  '2024-03-15 09:45', true);

CREATE TABLE crm.documents (
    id      serial PRIMARY KEY,
    title   varchar(80),
    file    bytea
);
INSERT INTO crm.documents (title, file) VALUES
 ('Payslip May 2024', decode('255044462d312e330a25938c8b9e205265706f72744c61622047656e6572617465642050444620646f63756d656e7420286f70656e736f75726365290a312030206f626a0a3c3c0a2f46312032203020520a3e3e0a656e646f626a0a322030206f626a0a3c3c0a2f42617365466f6e74202f48656c766574696361202f456e636f64696e67202f57696e416e7369456e636f64696e67202f4e616d65202f4631202f53756274797065202f5479706531202f54797065202f466f6e740a3e3e0a656e646f626a0a332030206f626a0a3c3c0a2f436f6e74656e7473203720302052202f4d65646961426f78205b20302030203539352e32373536203834312e38383938205d202f506172656e74203620302052202f5265736f7572636573203c3c0a2f466f6e74203120302052202f50726f63536574205b202f504446202f54657874202f496d61676542202f496d61676543202f496d61676549205d0a3e3e202f526f746174652030202f5472616e73203c3c0a0a3e3e200a20202f54797065202f506167650a3e3e0a656e646f626a0a342030206f626a0a3c3c0a2f506167654d6f6465202f5573654e6f6e65202f5061676573203620302052202f54797065202f436174616c6f670a3e3e0a656e646f626a0a352030206f626a0a3c3c0a2f417574686f722028616e6f6e796d6f757329202f4372656174696f6e446174652028443a32303030303130313030303030302b30302730302729202f43726561746f722028616e6f6e796d6f757329202f4b6579776f726473202829202f4d6f64446174652028443a32303030303130313030303030302b30302730302729202f50726f647563657220285265706f72744c616220504446204c696272617279202d205c286f70656e736f757263655c2929200a20202f5375626a6563742028756e73706563696669656429202f5469746c652028756e7469746c656429202f54726170706564202f46616c73650a3e3e0a656e646f626a0a362030206f626a0a3c3c0a2f436f756e742031202f4b696473205b203320302052205d202f54797065202f50616765730a3e3e0a656e646f626a0a372030206f626a0a3c3c0a2f4c656e677468203232370a3e3e0a73747265616d0a312030203020312030203020636d20204254202f46312031322054662031342e3420544c2045540a425420312030203020312037322037323020546d2028506179736c6970204d617920323032342920546a20542a2045540a425420312030203020312037322037303020546d2028456d706c6f7965653a204d61726961204665726e616e6465732920546a20542a2045540a425420312030203020312037322036383020546d202842616e6b206163636f756e74204942414e204742383220574553542031323334203536393820373635342033322920546a20542a2045540a200a656e6473747265616d0a656e646f626a0a787265660a3020380a303030303030303030302036353533352066200a30303030303030303631203030303030206e200a30303030303030303932203030303030206e200a30303030303030313939203030303030206e200a30303030303030343032203030303030206e200a30303030303030343730203030303030206e200a30303030303030373331203030303030206e200a30303030303030373930203030303030206e200a747261696c65720a3c3c0a2f4944200a5b3c31633137383139386662646661353162323539393564383964343130323034333e3c31633137383139386662646661353162323539393564383964343130323034333e5d0a25205265706f72744c61622067656e6572617465642050444620646f63756d656e74202d2d2064696765737420286f70656e736f75726365290a0a2f496e666f2035203020520a2f526f6f742034203020520a2f53697a6520380a3e3e0a7374617274787265660a313036370a2525454f460a', 'hex')),
 ('Contact list', convert_to('name,phone' || chr(10) || 'John Okello,+256 772 123 456' || chr(10), 'UTF8')),
 ('Logo', '\x89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff6100000000'::bytea);

ANALYZE crm.customers;
ANALYZE crm.orders;
ANALYZE crm.app_users;
ANALYZE crm.documents;
