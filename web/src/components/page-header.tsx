/** A page's breadcrumbs, heading and main actions. */
import type { ComponentChildren } from 'preact';

export interface Crumb {
  href: string;
  label: string;
}

export function PageHeader({ title, crumbs = [], actions, children }: { title: ComponentChildren; crumbs?: readonly Crumb[]; actions?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumb" class="breadcrumbs">
          <ol>
            {crumbs.map((crumb) => (
              <li key={crumb.href}>
                <a href={crumb.href}>{crumb.label}</a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div class="page-title-row">
        <h1 class="page-title">{title}</h1>
        {actions && <div class="page-actions">{actions}</div>}
      </div>
      {children}
    </header>
  );
}
