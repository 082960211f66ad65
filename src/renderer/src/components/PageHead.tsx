/** A page's title, the sentence under it, and the page's actions on the right. */
export function PageHead({ title, lead, children }: { title: string; lead: React.ReactNode; children?: React.ReactNode }): React.JSX.Element {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        <p>{lead}</p>
      </div>
      {children}
    </div>
  );
}
