-- Rows of one reporting year kept but flagged (never dropped): ledger rows that need a look, and
-- emission rows that have no figure, by flag and activity type.
SELECT 'ledger.activity' AS table_name, flag, activity_type, COUNT(*) AS row_count
FROM ledger.activity
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
  AND flag IS NOT NULL
GROUP BY flag, activity_type
UNION ALL
SELECT 'emissions.activity_emissions', e.flag, a.activity_type, COUNT(*)
FROM emissions.activity_emissions AS e
JOIN ledger.activity AS a
    ON a.activity_id = e.activity_id AND a.period_month = e.period_month
WHERE e.period_month >= make_date($year, 1, 1) AND e.period_month < make_date($year + 1, 1, 1)
  AND e.flag IS NOT NULL
GROUP BY e.flag, a.activity_type
ORDER BY table_name DESC, flag, activity_type
