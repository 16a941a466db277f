import type { Onboarding } from './queries';
import { stepLabels } from './queries';

type StepState = 'done' | 'running' | 'failed' | 'waiting';
const STEPS = Object.keys(stepLabels) as (keyof typeof stepLabels)[];

const stateText: Record<StepState, string> = {
  done: 'done',
  running: 'in progress',
  failed: 'failed',
  waiting: 'waiting',
};

/**
 * The onboarding sequence as a checklist: finished steps ticked, the failing one marked with Meta's
 * message. `onboarding` is null while the first request is still running.
 */
export function OnboardingProgress({ onboarding }: { onboarding: Onboarding | null }) {
  const stateOf = (step: (typeof STEPS)[number], index: number): StepState => {
    if (!onboarding) return index === 0 ? 'running' : 'waiting';
    if (onboarding.completed[step]) return 'done';
    if (onboarding.step === step) return onboarding.state === 'failed' ? 'failed' : 'running';
    return 'waiting';
  };
  return (
    <ol className="steps" aria-label="Connection progress">
      {STEPS.map((step, index) => {
        const state = stateOf(step, index);
        return (
          <li
            key={step}
            className={`step step-${state}`}
            aria-current={state === 'running' ? 'step' : undefined}
          >
            <span className="step-mark" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'failed' ? '!' : state === 'running' ? '' : index + 1}
            </span>
            <span>
              {stepLabels[step]}
              <span className="sr-only"> ({stateText[state]})</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
