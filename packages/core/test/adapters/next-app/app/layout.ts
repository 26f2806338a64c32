import { createElement as h, type ReactElement, type ReactNode } from 'react';

/** The root layout Next requires. (No JSX: the repository's sources are `.ts`.) */
export default function RootLayout({ children }: { children: ReactNode }): ReactElement {
  return h('html', { lang: 'en' }, h('body', null, children));
}
