// Writes carbon_pipeline/factors/data/ccf_aws_ec2_instance_types.csv: Cloud Carbon Footprint's own EC2 instance
// table (EC2_INSTANCE_TYPES in @cloud-carbon-footprint/aws 0.15.0, Apache-2.0: vCPU, memory GB and host embodied
// tCO2e per family and size), with the GPUs per instance and the GPU processor CCF assigns
// (GPU_INSTANCES_TYPES, INSTANCE_TYPE_GPU_PROCESSOR_MAPPING) and the family's last listed size, which CCF takes as
// "the largest" for memory and embodied shares. Sizes are in CCF's order (`position`). Used to size the instance
// types CCF knows that aws-instances.csv does not (factors/aws_instance_types.sql).
// Run: node export_instance_types.js > ../../../carbon_pipeline/factors/data/ccf_aws_ec2_instance_types.csv
'use strict'
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1'
const types = require('@cloud-carbon-footprint/aws/dist/lib/AWSInstanceTypes')
const version = require('@cloud-carbon-footprint/aws/package.json').version
const quote = (s) => (/[",\t\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s)
const lines = ['instance_type,family,size,position,vcpu,memory_gb,embodied_kgco2e,gpu_count,gpu_processors,' +
  'family_last_vcpu,family_last_memory_gb,reference,licence']
for (const [family, sizes] of Object.entries(types.EC2_INSTANCE_TYPES)) {
  const entries = Object.entries(sizes)
  const [lastVcpu, lastMemory] = entries[entries.length - 1][1]
  entries.forEach(([size, [vcpu, memory, embodiedTonnes]], position) => {
    const t = family + '.' + size
    const gpus = types.GPU_INSTANCES_TYPES[t] || 0
    const gpuProcessors = gpus ? (types.INSTANCE_TYPE_GPU_PROCESSOR_MAPPING[t] || []).join('|') : ''
    lines.push([quote(t), family, quote(size), position, vcpu, memory,
      Math.round(embodiedTonnes * 1000 * 1e6) / 1e6, gpus, gpuProcessors, lastVcpu, lastMemory,
      `EC2_INSTANCE_TYPES + GPU_INSTANCES_TYPES + INSTANCE_TYPE_GPU_PROCESSOR_MAPPING in @cloud-carbon-footprint/aws ${version} (npm)`,
      'Apache-2.0'].join(','))
  })
}
process.stdout.write(lines.join('\n') + '\n')
