import { useQuery } from '@tanstack/react-query';
import { ApiError, api, call } from '../api/client';

/**
 * Whether the in-process Graph API simulator runs (embedded mode). Its routes exist only then, so a
 * 404 means "no simulator" rather than an error. Asked once per session.
 */
export function useSimulatorAvailable(): boolean {
  const status = useQuery({
    queryKey: ['simulator', 'status'],
    queryFn: async () => {
      try {
        return (await call(api.GET('/api/v1/simulator'))).enabled;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return false;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
  return status.data === true;
}
