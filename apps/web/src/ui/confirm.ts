import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../api/client';
import { useAnnounce } from './announcer';

/**
 * An action that asks first (a destructive one): `ask(target)` opens the confirmation, whose
 * open/pending/error/confirm/close props are `dialog`. On success the list behind `queryKey` is
 * refreshed, `done(target, result)` is announced and the dialog closes; a refusal stays in the dialog.
 */
export function useConfirmedAction<T, R>({
  action,
  queryKey,
  done,
}: {
  action: (target: T) => Promise<R>;
  queryKey: QueryKey;
  done: (target: T, result: R) => string;
}) {
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [target, setTarget] = useState<T | null>(null);
  const mutation = useMutation({
    mutationFn: action,
    onSuccess: async (result, confirmed) => {
      await queryClient.invalidateQueries({ queryKey });
      announce(done(confirmed, result));
      setTarget(null);
    },
  });
  return {
    target,
    ask: setTarget,
    dialog: {
      open: target !== null,
      pending: mutation.isPending,
      error: mutation.error ? errorMessage(mutation.error) : null,
      onConfirm: () => {
        if (target !== null) mutation.mutate(target);
      },
      onClose: () => {
        mutation.reset();
        setTarget(null);
      },
    },
  };
}
