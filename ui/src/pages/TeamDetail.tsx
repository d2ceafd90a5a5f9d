// One team: its settings and its people.
import { Link, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { can } from '../auth/permissions';
import { useUser } from '../auth/session';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { useLoad } from '../lib/useLoad';
import { MemberTable } from '../teams/MemberTable';
import { TeamSettings } from '../teams/TeamSettings';

export function TeamDetail() {
  const { id = '' } = useParams();
  const user = useUser();
  const team = useLoad(() => api.team(id), [id]);
  if (team.error) return <ErrorNotice error={team.error} />;
  if (!team.data) return <Loading what="the team" />;
  const manage = can.manageTeam(user, team.data.id);
  return (
    <div>
      <p className="muted small">
        <Link to="/teams">Teams</Link> / {team.data.name}
      </p>
      <div className="page-head">
        <h1>{team.data.name}</h1>
        <Link to={`/issues?team_id=${team.data.id}`}>Its issues</Link>
      </div>
      <div className="columns wide-first">
        <MemberTable
          teamId={team.data.id}
          members={team.data.members}
          manage={manage}
          grantManager={can.grantManager(user)}
          onChanged={team.reload}
        />
        <TeamSettings
          key={team.data.id}
          team={team.data}
          permission={manage}
          // The form keeps what was saved; the page takes the team as the API answered.
          onSaved={(saved) => team.data && team.setData({ ...team.data, ...saved })}
        />
      </div>
    </div>
  );
}
