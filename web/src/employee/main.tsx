import { render } from 'preact';
import '../shared/styles/index.css';
import { I18nProvider } from '../shared/i18n-provider.tsx';
import { EmployeeApp } from './employee-app.tsx';

render(
  <I18nProvider>
    <EmployeeApp />
  </I18nProvider>,
  document.getElementById('app')!,
);
