export * from './outcome-grader.options';
export * from './outcome-grader.module';
export * from './grading/session-grader';
export * from './grading/model-judge';
