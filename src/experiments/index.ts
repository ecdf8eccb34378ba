// experiments: the paper's ablations (Tables 5, 7, 8 and Figure 5) as recipes anyone can rerun, with the paper's numbers beside ours.
export { PAPER_SOURCE, PAPER_TABLE5, PAPER_TABLE6, PAPER_TABLE7, PAPER_TABLE8, PAPER_FIGURE5, PaperTable, PaperRow, PaperScores } from "./paper";
export { SCALES, SCALE_NAMES, ScaleName, Scale, ScaleOverrides, resolveScale } from "./scales";
export { findTasks, DownstreamTask, FoundTasks, TaskLevel } from "./tasks";
export { RECIPES, RecipeName, recipePlan, Plan, PlanRow, PlanColumn, PretrainJob, EvalJob, EvalMethod, NO_PRETRAINING, mainSentenceTask, mainTokenTask } from "./recipes";
export { summarize, figure5Points, compareCells, cellOf, cellText, sampleSd, Summary, Cell, Comparison, Score } from "./summary";
export { scoresSpec, differenceSpec, figure5Spec } from "./charts";
export { writeReport, tableRows, ExperimentReport } from "./report";
export { runExperiment, planExperiment, scoresOf, ExperimentOptions, ExperimentResult, ExperimentResults, RunEvent, PretrainRunRecord, EvalRunRecord } from "./run-experiment";
export { experiment, LiveExperimentOptions } from "./experiment";
