import { useI18n } from './i18n.ts';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <fieldset class="lang-switch" aria-label={t('lang.switch')}>
      <button
        type="button"
        class={language === 'en' ? 'active' : ''}
        aria-pressed={language === 'en'}
        onClick={() => setLanguage('en')}
      >
        EN
      </button>
      <button
        type="button"
        class={language === 'zh' ? 'active' : ''}
        aria-pressed={language === 'zh'}
        onClick={() => setLanguage('zh')}
      >
        中文
      </button>
    </fieldset>
  );
}
