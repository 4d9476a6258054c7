-- Spend of one reporting year with no emission figure because no exchange rate to US dollars was found for its
-- currency and year (flag no_exchange_rate): the amount in its own currency, so the gap is quantified.
SELECT a.currency, COUNT(*) AS activity_rows, SUM(a.cost) AS cost
FROM emissions.activity_emissions AS e
JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
WHERE e.period_month >= make_date($year, 1, 1) AND e.period_month < make_date($year + 1, 1, 1)
  AND e.flag = 'no_exchange_rate' AND e.method = 'location'
GROUP BY a.currency
ORDER BY a.currency
