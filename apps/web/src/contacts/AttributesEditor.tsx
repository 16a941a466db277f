export type AttributeRow = { key: string; value: string };

export const toRows = (attributes: Record<string, string>): AttributeRow[] =>
  Object.entries(attributes).map(([key, value]) => ({ key, value }));

/** Rows with a name become the attributes map; later rows win over earlier ones with the same name. */
export const fromRows = (rows: AttributeRow[]): Record<string, string> =>
  Object.fromEntries(rows.filter((row) => row.key.trim()).map((row) => [row.key.trim(), row.value]));

/** Free-form fields of a contact (city, plan, order id…) as editable name/value rows. */
export function AttributesEditor({
  rows,
  onChange,
  error,
}: {
  rows: AttributeRow[];
  onChange: (rows: AttributeRow[]) => void;
  error?: string | undefined;
}) {
  const set = (index: number, patch: Partial<AttributeRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="attributes">
      <legend>Attributes</legend>
      {rows.length === 0 && <p className="muted small">No attributes yet.</p>}
      {rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their position while typed
        <div className="attribute-row" key={index}>
          <input
            aria-label={`Attribute ${index + 1} name`}
            placeholder="Name, e.g. city"
            value={row.key}
            onChange={(event) => set(index, { key: event.target.value })}
          />
          <input
            aria-label={`Attribute ${index + 1} value`}
            placeholder="Value"
            value={row.value}
            onChange={(event) => set(index, { value: event.target.value })}
          />
          <button
            type="button"
            className="btn-icon"
            aria-label={`Remove attribute ${row.key || index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-small btn-ghost"
        onClick={() => onChange([...rows, { key: '', value: '' }])}
      >
        + Add attribute
      </button>
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}
