import { render } from 'preact';
import '../shared/styles.css';
import './admin.css';
import { I18nProvider } from '../shared/i18n-provider.tsx';
import { AdminApp } from './admin-app.tsx';

render(
  <I18nProvider>
    <AdminApp />
  </I18nProvider>,
  document.getElementById('app')!,
);
