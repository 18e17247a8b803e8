import { configure } from '@testing-library/react';

// What Mantine needs from a browser that jsdom lacks.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}

if (typeof window !== 'undefined') {
  const matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
  // Defined only where missing (jsdom may have the property, undefined).
  if (typeof window.matchMedia !== 'function')
    Object.defineProperty(window, 'matchMedia', { value: matchMedia, writable: true });
  window.ResizeObserver ??= ResizeObserverStub;
  if (typeof Element.prototype.scrollIntoView !== 'function')
    Object.defineProperty(Element.prototype, 'scrollIntoView', { value: () => {}, writable: true });
}

// A loaded machine (CI runs the suites side by side) answers slower than Testing Library's 1 s default.
configure({ asyncUtilTimeout: 5000 });
