// Per-row estimates from Cloud Carbon Footprint's own published code (@cloud-carbon-footprint/aws 0.15.0,
// core 0.17.3, common 1.15.0; Apache-2.0), for the differential test of the `ccf` coefficient profile
// (carbon_pipeline_tests/ccf/test_ccf_differential.py). Nothing of CCF is copied here: this file only calls it.
//
// Input (stdin): {"batches": [{"month": "2024-04-01", "rows": [{id, region, service, usage_type, unit, vcpu,
// amount, cost}, ...]}, ...]}. Output (stdout): {"rows": [{id, kwh, co2e, path}], "tables": {...}}.
//
// Each row goes through the steps CCF's CostAndUsageReports.getEstimates applies to an Athena row, minus Athena
// and the per-day grouping: `new CostAndUsageReportsRow(...)` (public), the static grid factors
// (`getEmissionsFactors` without an Electricity Maps token), `getFootprintEstimateFromUsageRow` per row, then
// `getEstimateForUnknownUsage` for the rows it set aside as unknown, once the known rows are done. Those two
// methods are TypeScript-private but are exactly what both public entry points (getEstimates,
// getEstimatesFromInputData) call per row; the public ones either need Athena or force usage amount and cost
// to 1. CCF accumulates kWh per cost for unknown usage over a whole query: one batch here is one query (one
// month), and the accumulator is reset between batches.
'use strict'
delete process.env.ELECTRICITY_MAPS_TOKEN
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1'
const aws = require('@cloud-carbon-footprint/aws')
const core = require('@cloud-carbon-footprint/core')
const common = require('@cloud-carbon-footprint/common')
const types = require('@cloud-carbon-footprint/aws/dist/lib/AWSInstanceTypes')
const usageTypes = require('@cloud-carbon-footprint/aws/dist/lib/CostAndUsageTypes')
const regions = require('@cloud-carbon-footprint/aws/dist/lib/AWSRegions')
const CostAndUsageReportsRow = require('@cloud-carbon-footprint/aws/dist/lib/CostAndUsageReportsRow').default

const C = aws.AWS_CLOUD_CONSTANTS
const quiet = { info() {}, warn() {}, error() {}, debug() {} }

function service() {
  const s = new aws.CostAndUsageReports(
    new core.ComputeEstimator(),
    new core.StorageEstimator(C.SSDCOEFFICIENT),
    new core.StorageEstimator(C.HDDCOEFFICIENT),
    new core.NetworkingEstimator(C.NETWORKING_COEFFICIENT),
    new core.MemoryEstimator(C.MEMORY_COEFFICIENT),
    new core.UnknownEstimator(C.ESTIMATE_UNKNOWN_USAGE_BY),
    new core.EmbodiedEmissionsEstimator(C.SERVER_EXPECTED_LIFESPAN),
  )
  s.costAndUsageReportsLogger = quiet
  return s
}

async function run(input) {
  const out = []
  for (const batch of input.batches) {
    C.KILOWATT_HOURS_BY_SERVICE_AND_USAGE_UNIT = { total: {} }
    const cur = service()
    const unknownRows = []
    const ids = new Map()
    let known = 0
    for (const r of batch.rows) {
      const row = new CostAndUsageReportsRow(
        new Date(batch.month + 'T00:00:00Z'), '012345678901', '012345678901', r.region, r.service, r.usage_type,
        r.unit, r.vcpu === null || r.vcpu === undefined ? null : Number(r.vcpu), r.amount, r.cost, {},
      )
      ids.set(row, r.id)
      const factors = await common.getEmissionsFactors(
        row.region, row.timestamp.toISOString(), aws.AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH,
        regions.AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES, quiet,
      )
      const before = unknownRows.length
      const e = cur.getFootprintEstimateFromUsageRow(row, unknownRows, factors)
      if (unknownRows.length > before) continue
      if (e) known += 1
      out.push({ id: r.id, kwh: e ? e.kilowattHours : null, co2e: e ? e.co2e : null, path: e ? 'known' : 'dropped' })
    }
    for (const row of unknownRows) {
      // as getEstimates: the unknown pass runs only when some row was estimated
      const e = known > 0 ? cur.getEstimateForUnknownUsage(row) : null
      out.push({ id: ids.get(row), kwh: e ? e.kilowattHours : null, co2e: e ? e.co2e : null, path: 'unknown' })
    }
  }
  return out
}

function tables() {
  // what the test enumerates: every instance type of CCF's EC2 table (with its processors), and its
  // storage / networking usage-type lists
  const instances = []
  for (const [family, sizes] of Object.entries(types.EC2_INSTANCE_TYPES)) {
    for (const size of Object.keys(sizes)) {
      const t = family + '.' + size
      instances.push({
        instance_type: t,
        vcpu: sizes[size][0],
        memory_gb: sizes[size][1],
        embodied_kgco2e: sizes[size][2],
        processors: types.INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING[t] || null,
        gpus: types.GPU_INSTANCES_TYPES[t] || 0,
        burstable: t in types.BURSTABLE_INSTANCE_BASELINE_UTILIZATION,
      })
    }
  }
  return {
    instances,
    ssd_usage_types: usageTypes.SSD_USAGE_TYPES,
    hdd_usage_types: usageTypes.HDD_USAGE_TYPES,
    ssd_services: usageTypes.SSD_SERVICES,
    networking_usage_types: usageTypes.NETWORKING_USAGE_TYPES,
    byte_hours_usage_types: usageTypes.BYTE_HOURS_USAGE_TYPES,
    unknown_usage_types: usageTypes.UNKNOWN_USAGE_TYPES,
    unsupported_usage_types: usageTypes.UNSUPPORTED_USAGE_TYPES,
    regions: Object.keys(aws.AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH),
    versions: Object.fromEntries(['aws', 'core', 'common'].map(
      (p) => [p, require('@cloud-carbon-footprint/' + p + '/package.json').version])),
  }
}

let text = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { text += chunk })
process.stdin.on('end', async () => {
  const input = JSON.parse(text || '{"batches": []}')
  const result = { tables: tables(), rows: await run(input) }
  process.stdout.write(JSON.stringify(result))
})
