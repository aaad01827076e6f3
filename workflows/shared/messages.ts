// Messages more than one workflow answers to. The API signals them to each workflow concerned.
import { defineSignal } from '@temporalio/workflow';
import type { Policy } from '@libs/domain';

/** The authority's policy changed; deadlines set from now on use it (allegations and risk reviews). */
export const policyChangedSignal = defineSignal<[Policy]>('policyChanged');
