export function AdminApp() {
  return <div>admin</div>;
}
