import { headers } from 'next/headers.js';
import { createElement as h, type ReactElement } from 'react';
import { nonceFrom } from '@barbican/core/next';

/**
 * A server component that reads the nonce the documented way and puts it on
 * an inline script; `error:<code>` when there is none to read.
 */
export default async function Page(): Promise<ReactElement> {
  let nonce: string;
  try {
    nonce = nonceFrom(await headers());
  } catch (error) {
    return h('p', null, `error:${String((error as { code?: unknown }).code)}`);
  }
  return h('script', { nonce, dangerouslySetInnerHTML: { __html: 'window.ran = true' } });
}
