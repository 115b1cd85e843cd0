using Gateway.Authentication.PublicSuffix;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Gateway.Spam.Classifier;
using Gateway.Spam.Reputation;

namespace Gateway.Host.Hosting;

/// <summary>
/// Builds the content scorer of one policy snapshot: the rules from the policy and the classifier model from
/// spam.model, loaded once per snapshot (a retrained model takes effect with the next policy reload). A model file that
/// does not load is a policy error at its line, so the running policy stays in force (DESIGN invariant 6). The DNS
/// lists and client checks run over the host's shared resolver and list cache.
/// </summary>
internal static class SpamFactory
{
    public static SpamServices? Build(GatewayPolicy policy, RuntimeServices services, List<PolicyError> problems)
    {
        var spam = policy.Spam;
        if (!spam.Enabled)
        {
            return null;
        }

        SpamModel? model = null;
        if (spam.Model is { } path)
        {
            try
            {
                model = SpamModelFile.Load(path);
                if (model.IsOutdated)
                {
                    // It still scores, so the policy stands, but the admin must learn why scoring got weaker.
                    HostLog.SpamModelOutdated(services.Loggers.CreateLogger("Gateway"), path, model.FileVersion);
                }

                // The gateway only scores; what learning needs would stay in memory for the snapshot's lifetime.
                model.Freeze();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                var at = spam.ModelSource ?? new PolicyPosition(policy.SourceFiles.Count > 0 ? policy.SourceFiles[0] : "policy", 1, 1);
                problems.Add(at.At($"spam.model: cannot load '{path}': {ex.Message}"));
                return null;
            }
        }

        return new SpamServices(spam, model, services.ScannerMetrics) { Reputation = Reputation(policy, services) };
    }

    private static ReputationChecks? Reputation(GatewayPolicy policy, RuntimeServices services)
    {
        var spam = policy.Spam;
        if (!spam.ChecksClients && spam.UriLists.Count == 0)
        {
            return null;
        }

        PublicSuffixList suffixes;
        try
        {
            suffixes = services.Suffixes.Get(policy.Authentication.Dmarc.PublicSuffixList);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The authentication factory reports the unreadable list as a policy error; this snapshot is not used then.
            suffixes = services.Suffixes.Get(null);
        }

        return new ReputationChecks(policy, services.DnsLists, new ReverseDnsCheck(services.Dns, services.Time), suffixes);
    }
}
