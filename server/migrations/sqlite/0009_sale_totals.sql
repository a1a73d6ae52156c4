-- Running totals of live sale lines per session and product, kept equal to
-- the sums over `sale_lines` by every write (as `activity_totals` is for
-- activities): the admin's sales figures read a row per session and product
-- instead of every line. Region and date come from the product and the
-- session at query time, so editing either needs no change here.
CREATE TABLE sale_totals (
    session_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    lines      INTEGER NOT NULL,
    units      INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    orders     INTEGER NOT NULL,
    PRIMARY KEY (session_id, product_id)
) WITHOUT ROWID;
INSERT INTO sale_totals (session_id, product_id, lines, units, amount_fen, orders)
SELECT session_id, product_id, COUNT(*), SUM(units), SUM(amount_fen), SUM(orders)
FROM sale_lines WHERE NOT deleted GROUP BY session_id, product_id;
