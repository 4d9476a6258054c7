// Writes carbon_pipeline/factors/data/ccf_aws_instance_processors.csv: Cloud Carbon Footprint's own processor
// map per AWS instance type (INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING in @cloud-carbon-footprint/aws 0.15.0,
// Apache-2.0) with the min/max watts per vCPU and GB per chip CCF derives from it (AWS_CLOUD_CONSTANTS
// getMinWatts / getMaxWatts / getMemory, which average the listed processors). Used by the `ccf` profile.
// Run: node export_processor_map.js > ../../../carbon_pipeline/factors/data/ccf_aws_instance_processors.csv
'use strict'
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1'
const aws = require('@cloud-carbon-footprint/aws')
const types = require('@cloud-carbon-footprint/aws/dist/lib/AWSInstanceTypes')
const C = aws.AWS_CLOUD_CONSTANTS
const version = require('@cloud-carbon-footprint/aws/package.json').version
const lines = ['instance_type,processors,min_watts,max_watts,gb_per_chip,reference,licence']
const map = types.INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING
for (const t of Object.keys(map).sort()) {
  const p = map[t]
  lines.push([t, p.join('|'), C.getMinWatts(p), C.getMaxWatts(p), C.getMemory(p),
    `INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING + AWS_CLOUD_CONSTANTS in @cloud-carbon-footprint/aws ${version} (npm)`,
    'Apache-2.0'].join(','))
}
process.stdout.write(lines.join('\n') + '\n')
