/** The grade chart and the score table, exhaustively and against the installed package. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GRADE_CHART,
  gradeForScore,
  MINIMUM_SCORE_FOR_EXTRA_CREDIT,
  SCORE_MODIFIERS,
  totalScore,
} from './index.ts';
import { packageGrade, packageScoreTable } from '../../test/observatory/oracle.ts';

/** The published chart, written out as ranges. */
function expectedGrade(score: number): string {
  const s = Math.min(Math.max(score, 0), 100);
  if (s >= 100) return 'A+';
  if (s >= 90) return 'A';
  if (s >= 85) return 'A-';
  if (s >= 80) return 'B+';
  if (s >= 70) return 'B';
  if (s >= 65) return 'B-';
  if (s >= 60) return 'C+';
  if (s >= 50) return 'C';
  if (s >= 45) return 'C-';
  if (s >= 40) return 'D+';
  if (s >= 30) return 'D';
  if (s >= 25) return 'D-';
  return 'F';
}

describe('grade chart', () => {
  it('maps every integer score from -200 to 200 as the published chart and the package do', () => {
    for (let score = -200; score <= 200; score++) {
      const ours = gradeForScore(score);
      assert.equal(ours.grade, expectedGrade(score), `score ${score}`);
      assert.deepEqual(ours, packageGrade(score), `score ${score}`);
    }
  });

  it('floors the score at 0 but does not cap it', () => {
    assert.equal(gradeForScore(-35).score, 0);
    assert.equal(gradeForScore(145).score, 145);
  });

  it('has an entry for every multiple of 5 up to 100', () => {
    for (let k = 0; k <= 100; k += 5) assert.ok(GRADE_CHART.has(k), `${k}`);
  });
});

describe('score table', () => {
  it('has the same codes and modifiers as the installed package', () => {
    assert.deepEqual(new Map(Object.entries(SCORE_MODIFIERS)), packageScoreTable);
  });
});

describe('curve', () => {
  it('adds bonuses only when the uncurved score is at least 90', () => {
    assert.equal(MINIMUM_SCORE_FOR_EXTRA_CREDIT, 90);
    assert.equal(totalScore([-10, 10, 5]), 105);
    assert.equal(totalScore([-15, 10, 5]), 85);
    assert.equal(totalScore([]), 100);
    assert.equal(totalScore([10, 5, 5, 10, 10, 5]), 145);
  });
});
