-- The line items behind one ledger activity (carbon-pipeline line-items, carbon_pipeline/serving/line_items.py).
-- `trace_rows` holds the typed line items of the activity's object: the warehouse's copies, or the delivered
-- object staged again by staging/aws_cur_line_items.sql when the source references its objects. A line item
-- belongs to the activity when it has the activity's every ledger key (ledger/activity_cloud_billing.sql); the
-- ledger's own flags for unclassified usage stand for line items without a flag.
SELECT r.*
FROM trace_rows AS r
JOIN ledger.activity AS a
    ON a.activity_id = $activity_id
   AND r.source_id = a.source_id
   AND r.period_month = a.period_month
   AND r.object_key = a.source_object
   AND r.assembly_id = a.source_version
   AND r.usage_account_id IS NOT DISTINCT FROM a.account_id
   AND COALESCE(r.region_code, 'global') = a.region
   AND r.product_code IS NOT DISTINCT FROM a.service
   AND r.usage_type IS NOT DISTINCT FROM a.usage_type
   AND r.line_item_type IS NOT DISTINCT FROM a.line_item_type
   AND r.instance_type IS NOT DISTINCT FROM a.instance_type
   AND r.vcpu IS NOT DISTINCT FROM a.vcpu
   AND r.pricing_unit IS NOT DISTINCT FROM a.unit
   AND r.currency IS NOT DISTINCT FROM a.currency
   AND (r.flag IS NOT DISTINCT FROM a.flag
        OR (r.flag IS NULL AND a.flag IN ('counted_in_ec2_rows', 'no_usage_coefficient')))
ORDER BY r.object_line
