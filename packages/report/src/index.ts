/** Training reports: curves, confusion matrices, sample grids and a one-file HTML page. Pure TS, deterministic. */
export { lossCurveSvg, historyFromRecords, type HistoryPoint, type LossCurveOptions } from './loss-curve.js';
export { confusionMatrixText, confusionMatrixSvg, confusionMatrixFromLabels, type ConfusionSvgOptions } from './confusion.js';
export { encodePng, sampleGridPng, type SampleGridOptions } from './png.js';
export { reportHtml, type ReportInput } from './html.js';
