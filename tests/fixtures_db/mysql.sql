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
