import type { ComponentChildren } from 'preact';

/** Every page: one h1 (focused on navigation), an optional lead paragraph, then sections. */
export function Page(props: { title: string; lead?: ComponentChildren; children?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <div class="page">
      <div class="page-head">
        <h1 tabIndex={-1}>{props.title}</h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </div>
      {props.lead && <p class="lead">{props.lead}</p>}
      {props.children}
    </div>
  );
}

