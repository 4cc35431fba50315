const decimals = { 'inv/s': 0, 'req/s': 0, 'rt/s': 1, ms: 2, MB: 1, µs: 1 }

function amount(value, unit) {
  const digits = decimals[unit] ?? 2
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`
}

/** The figures as a Markdown table: it reads in a terminal and pastes into an issue. */
export function renderTable(figures) {
  const rows = figures.map((f) => [
    f.title,
    `${amount(f.lambdalet.median, f.unit)} (${f.lambdalet.label})`,
    `${amount(f.baseline.median, f.unit)} (${f.baseline.label})`,
    f.ratio.toFixed(2),
    `${f.target.op} ${f.target.value.toFixed(2)}`,
    f.met ? 'met' : 'MISSED',
  ])
  const header = ['figure', 'lambdalet (median)', 'baseline (median)', 'ratio', 'target', '']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
