import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { I18nContext, initialLanguage, type Language, rememberLanguage, translator } from './i18n.ts';

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [language, setLanguageState] = useState<Language>(() => {
    const chosen = initialLanguage();
    document.documentElement.lang = chosen === 'zh' ? 'zh-CN' : 'en';
    return chosen;
  });
  const value = useMemo(
    () => ({
      language,
      t: translator(language),
      setLanguage: (next: Language) => {
        rememberLanguage(next);
        setLanguageState(next);
      },
    }),
    [language],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
