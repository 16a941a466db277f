import { UsagePanel } from './UsagePanel';
import { WalletEntries, WalletSummary } from './WalletPanel';

/** Billing → Wallet & usage. */
export default function WalletUsagePage() {
  return (
    <div className="stack-lg billing">
      <WalletSummary />
      <UsagePanel />
      <WalletEntries />
    </div>
  );
}
