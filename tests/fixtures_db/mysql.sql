-- dataguard MariaDB/MySQL fixture (loaded by scripts/start-databases.sh into the test database).
-- Same planted values as postgres.sql; "schemas" are databases in MySQL, so tables are
-- prefixed (hr_*, sales_*) inside the one test database.  Re-runnable.
DROP VIEW IF EXISTS v_employees;
DROP TABLE IF EXISTS hr_employees, sales_payments, sales_decoys, clean_lookup, no_pk_notes, big_events, digits;

CREATE TABLE hr_employees (
    id            INT AUTO_INCREMENT PRIMARY KEY,
    full_name     VARCHAR(200) NOT NULL,
    email         VARCHAR(200),
    telefono      VARCHAR(40),
    iban          VARCHAR(40),
    ssn           VARCHAR(20),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    hired_at      DATETIME NOT NULL DEFAULT '2020-01-01 09:00:00',
    birth_date    DATE,
    salary        DECIMAL(10,2),
    rating        FLOAT,
    notes         TEXT,
    profile       JSON,
    photo         BLOB,
    card_numeric  DECIMAL(20,0)
) CHARACTER SET utf8mb4;
INSERT INTO hr_employees (full_name, email, telefono, iban, ssn, birth_date, salary, rating, notes, profile, photo, card_numeric) VALUES
 ('Jane Doe', 'jane.doe@example.org', '+1 212 555 0143', 'GB82WEST12345698765432', '536-22-8843', '1980-04-12', 5123.50, 4.5,
  'Spoke with Maria Gonzalez about her medical leave; she asked us to write to maria.gonzalez@example.com and not to call her at home.',
  '{"contact": {"email": "jd.private@example.net", "phone": "+44 20 7946 0958"}, "tags": ["staff", "geneva"], "ids": {"passport_no": 123456789}}',
  CAST('Scanned letter. Contact: letters.jane@example.org' AS BINARY),
  4111111111111111),
 ('John Smith', 'john.smith@example.org', '+1 646 555 0199', NULL, NULL, '1975-11-02', 6100.00, 3.9,
  'Short note.',
  '{"contact": {"email": null}, "tags": []}',
  UNHEX('89504E470D0A1A0A0000000D49484452000000100000001008060000001FF3FF6100000000'),
  5500005555555559),
 ('Aiko Tanaka', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE sales_payments (
    payment_id   VARCHAR(20) PRIMARY KEY,
    card_number  VARCHAR(25),
    order_no     VARCHAR(30),
    amount       DECIMAL(10,2),
    paid_at      TIMESTAMP NOT NULL DEFAULT '2024-05-01 10:00:00'
) CHARACTER SET utf8mb4;
INSERT INTO sales_payments (payment_id, card_number, order_no, amount) VALUES
 ('PAY-0001', '4111111111111111', 'ORD-2024-000123', 19.99),
 ('PAY-0002', '5500005555555559', 'ORD-2024-000124', 250.00),
 ('PAY-0003', '5500 0055 5555 5559', 'ORD-2024-000125', 3.10);

CREATE TABLE sales_decoys (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    ref_text      CHAR(36),
    order_number  VARCHAR(30),
    bad_card      VARCHAR(20),
    qty           SMALLINT
) CHARACTER SET utf8mb4;
INSERT INTO sales_decoys (ref_text, order_number, bad_card, qty) VALUES
 ('0b5e7d2c-3f4a-4c1e-8d2f-6a7b8c9d0e1f', 'ORD-2024-778812', '4111111111111112', 3),
 ('1c6f8e3d-4a5b-4d2f-9e3a-7b8c9d0e1f2a', 'ORD-2024-778813', '1234567812345678', 1);

CREATE TABLE clean_lookup (
    code   VARCHAR(10) PRIMARY KEY,
    label  VARCHAR(40) NOT NULL
) CHARACTER SET utf8mb4;
INSERT INTO clean_lookup VALUES ('R', 'Red'), ('G', 'Green'), ('B', 'Blue');

CREATE TABLE no_pk_notes (
    author  VARCHAR(60),
    body    TEXT
) CHARACTER SET utf8mb4;
INSERT INTO no_pk_notes VALUES ('desk', 'Caller left number +1 212 555 0143 for a callback.');

-- 200,000 rows generated server-side (portable cross join of digits, no recursion limit);
-- personal data ONLY in the last 5 rows.
CREATE TABLE digits (d INT NOT NULL);
INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
CREATE TABLE big_events (
    id          BIGINT PRIMARY KEY,
    event_code  VARCHAR(20) NOT NULL,
    message     TEXT NOT NULL
) CHARACTER SET utf8mb4;
INSERT INTO big_events (id, event_code, message)
SELECT n, CONCAT('EV-', LPAD(n, 6, '0')), CONCAT('batch job ', n % 97, ' finished')
FROM (SELECT 1 + a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d AS n
      FROM digits a, digits b, digits c, digits e, digits f, digits g) s
WHERE n <= 199995;
INSERT INTO big_events (id, event_code, message)
SELECT n, CONCAT('EV-', LPAD(n, 6, '0')), CONCAT('contact last.row.', n, '@registry-juba.org')
FROM (SELECT 199995 + d AS n FROM digits WHERE d BETWEEN 1 AND 5) s;
DROP TABLE digits;

CREATE VIEW v_employees AS SELECT full_name, email FROM hr_employees;

ANALYZE TABLE hr_employees, sales_payments, sales_decoys, clean_lookup, no_pk_notes, big_events;

-- ================================================================ crm_* (column semantics)
-- The tables of postgres.sql's crm schema in MariaDB types (JSON is LONGTEXT, no INET or
-- arrays: VARCHAR and JSON). Expected findings: tests/test_database_columns.py.
DROP TABLE IF EXISTS crm_customers, crm_orders, crm_app_users, crm_documents;

CREATE TABLE crm_customers (
    customer_id    BIGINT PRIMARY KEY,
    full_name      VARCHAR(200) NOT NULL,
    email          VARCHAR(200),
    phone          VARCHAR(40),
    date_of_birth  DATE,
    national_id    VARCHAR(20),
    profile        JSON,
    last_ip        VARCHAR(45),
    tags           JSON,
    user_agent     TEXT,
    notes          TEXT,
    created_at     DATETIME NOT NULL DEFAULT '2024-05-01 10:00:00',
    avatar         BLOB
) CHARACTER SET utf8mb4;
INSERT INTO crm_customers VALUES
 (4505577104, 'Amina Yusuf', 'amina.yusuf@mailbox.org', '+254 712 345 678', '1980-04-12', '27845193',
  '{"dob": "1980-04-12", "contact": {"mobile": "+254 733 111 222"}, "prefs": {"newsletter": true, "language": "en"}, "loyalty_no": "4505577104"}',
  '41.202.219.70', '["vip", "newsletter"]',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Paid invoice 2950184726 by bank transfer. Prefers morning calls.', '2024-05-01 10:00:00',
  UNHEX('89504E470D0A1A0A0000000D49484452000000100000001008060000001FF3FF6100000000')),
 (2950184726, 'John Okello', 'john.okello@mailbox.org', '0712 345 679', '1975-11-02', '31562048',
  '{"dob": "1975-11-02", "contact": {"mobile": "+256 772 123 456"}, "prefs": {"newsletter": false, "language": "sw"}, "loyalty_no": "2950184726"}',
  '196.201.214.33', '["newsletter"]',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Refund for order 9434765919 approved on 3 May.', '2024-05-02 11:30:00', NULL),
 (9434765919, 'Maria Fernandes', 'maria.fernandes@mailbox.org', '+41 22 917 1234', '1990-02-03', '29374615',
  '{"dob": "03/02/1990", "contact": {"mobile": "+41 79 555 12 34"}, "prefs": {"newsletter": true, "language": "fr"}, "loyalty_no": "9434765919"}',
  '102.89.34.7', '[]', 'curl/8.4.0', 'Item 7700900123 out of stock until June.', '2024-05-03 09:15:00', NULL),
 (7700900123, 'David Mensah', 'david.mensah@mailbox.org', '+233 24 123 4567', '1968-11-30', NULL,
  '{"prefs": {"newsletter": false}}', NULL, NULL, 'okhttp/4.9.0', 'Delivery slot moved to Friday.',
  '2024-05-04 16:45:00', NULL);

CREATE TABLE crm_orders (
    order_id         VARCHAR(12) PRIMARY KEY,
    invoice_no       VARCHAR(12),
    sku              VARCHAR(12),
    customer_ref     BIGINT,
    amount           DECIMAL(10,2),
    tracking_number  VARCHAR(20),
    memo             TEXT,
    ordered_at       DATETIME
) CHARACTER SET utf8mb4;
INSERT INTO crm_orders VALUES
 ('4505577104', '2950184726', '9434765919', 4505577104, 12.50, '7700900123', 'Paid invoice 2950184726 by transfer', '2024-05-01 10:00:00'),
 ('2950184726', '4505577104', '7700900123', 2950184726, 250.00, '9434765919', 'Refund for order 4505577104 approved', '2024-05-02 11:30:00'),
 ('9434765919', '7700900123', '4505577104', 9434765919, 3.10, '2950184726', 'Item 7700900123 back-ordered', '2024-05-03 09:15:00'),
 ('7700900123', '9434765919', '2950184726', 7700900123, 99.99, '4505577104', 'Gift wrap requested', '2024-05-04 16:45:00');

CREATE TABLE crm_app_users (
    id                     INT AUTO_INCREMENT PRIMARY KEY,
    username               VARCHAR(40) NOT NULL,
    password_hash          VARCHAR(200),
    legacy_password        VARCHAR(64),
    api_key                VARCHAR(80),
    aws_secret_access_key  VARCHAR(64),
    password_changed_at    DATETIME,
    mfa_enabled            BOOLEAN
) CHARACTER SET utf8mb4;
INSERT INTO crm_app_users (username, password_hash, legacy_password, api_key, aws_secret_access_key, password_changed_at, mfa_enabled) VALUES
 ('amina.y', '$2b$12$KIXQJvW1nBqYdV1cDUu1ZeUo0o5CnqJ9oMGm8e1o/3kMzU6pQ2x8K', 'hunter2!', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', '2024-01-10 08:00:00', TRUE),
 ('john.o', '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG', 'Tr0ub4dor&3',
  'sk_live_9fG72KpQwErTyUiOp1aSdF3g', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', '2023-11-02 14:20:00', FALSE),
 ('maria.f', 'pbkdf2_sha256$600000$Dx8uSbZdTQ2n$Zb1JzJ8cJ0f3v3w6rV0o7ZQ3m7Vt3s2tq8bq9m3dQ4E=', '********', NULL, NULL,
  '2024-03-15 09:45:00', TRUE);

CREATE TABLE crm_documents (
    id      INT AUTO_INCREMENT PRIMARY KEY,
    title   VARCHAR(80),
    file    LONGBLOB
) CHARACTER SET utf8mb4;
INSERT INTO crm_documents (title, file) VALUES
 ('Payslip May 2024', UNHEX('255044462d312e330a25938c8b9e205265706f72744c61622047656e6572617465642050444620646f63756d656e7420286f70656e736f75726365290a312030206f626a0a3c3c0a2f46312032203020520a3e3e0a656e646f626a0a322030206f626a0a3c3c0a2f42617365466f6e74202f48656c766574696361202f456e636f64696e67202f57696e416e7369456e636f64696e67202f4e616d65202f4631202f53756274797065202f5479706531202f54797065202f466f6e740a3e3e0a656e646f626a0a332030206f626a0a3c3c0a2f436f6e74656e7473203720302052202f4d65646961426f78205b20302030203539352e32373536203834312e38383938205d202f506172656e74203620302052202f5265736f7572636573203c3c0a2f466f6e74203120302052202f50726f63536574205b202f504446202f54657874202f496d61676542202f496d61676543202f496d61676549205d0a3e3e202f526f746174652030202f5472616e73203c3c0a0a3e3e200a20202f54797065202f506167650a3e3e0a656e646f626a0a342030206f626a0a3c3c0a2f506167654d6f6465202f5573654e6f6e65202f5061676573203620302052202f54797065202f436174616c6f670a3e3e0a656e646f626a0a352030206f626a0a3c3c0a2f417574686f722028616e6f6e796d6f757329202f4372656174696f6e446174652028443a32303030303130313030303030302b30302730302729202f43726561746f722028616e6f6e796d6f757329202f4b6579776f726473202829202f4d6f64446174652028443a32303030303130313030303030302b30302730302729202f50726f647563657220285265706f72744c616220504446204c696272617279202d205c286f70656e736f757263655c2929200a20202f5375626a6563742028756e73706563696669656429202f5469746c652028756e7469746c656429202f54726170706564202f46616c73650a3e3e0a656e646f626a0a362030206f626a0a3c3c0a2f436f756e742031202f4b696473205b203320302052205d202f54797065202f50616765730a3e3e0a656e646f626a0a372030206f626a0a3c3c0a2f4c656e677468203232370a3e3e0a73747265616d0a312030203020312030203020636d20204254202f46312031322054662031342e3420544c2045540a425420312030203020312037322037323020546d2028506179736c6970204d617920323032342920546a20542a2045540a425420312030203020312037322037303020546d2028456d706c6f7965653a204d61726961204665726e616e6465732920546a20542a2045540a425420312030203020312037322036383020546d202842616e6b206163636f756e74204942414e204742383220574553542031323334203536393820373635342033322920546a20542a2045540a200a656e6473747265616d0a656e646f626a0a787265660a3020380a303030303030303030302036353533352066200a30303030303030303631203030303030206e200a30303030303030303932203030303030206e200a30303030303030313939203030303030206e200a30303030303030343032203030303030206e200a30303030303030343730203030303030206e200a30303030303030373331203030303030206e200a30303030303030373930203030303030206e200a747261696c65720a3c3c0a2f4944200a5b3c31633137383139386662646661353162323539393564383964343130323034333e3c31633137383139386662646661353162323539393564383964343130323034333e5d0a25205265706f72744c61622067656e6572617465642050444620646f63756d656e74202d2d2064696765737420286f70656e736f75726365290a0a2f496e666f2035203020520a2f526f6f742034203020520a2f53697a6520380a3e3e0a7374617274787265660a313036370a2525454f460a')),
 ('Contact list', CAST(CONCAT('name,phone', CHAR(10), 'John Okello,+256 772 123 456', CHAR(10)) AS BINARY)),
 ('Logo', UNHEX('89504E470D0A1A0A0000000D49484452000000100000001008060000001FF3FF6100000000'));
