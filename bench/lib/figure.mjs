import { median } from './measure.mjs'

/**
 * One line of the table: lambdalet's and the baseline's medians, their ratio
 * and whether it meets the target (`>=` when higher is better, `<=` when
 * lower is).
 */
export function figure({ id, title, unit, lambdalet, baseline, target, notes }) {
  const side = ({ label, samples }) => ({ label, median: median(samples), samples })
  const ours = side(lambdalet)
  const theirs = side(baseline)
  const ratio = ours.median / theirs.median
  const met = target.op === '>=' ? ratio >= target.value : ratio <= target.value
  return { id, title, unit, lambdalet: ours, baseline: theirs, ratio, target, met, ...(notes && { notes }) }
}
