using Gateway.Policy.Validation;

namespace Gateway.Policy;

/// <summary>
/// Reads and validates a policy file (and everything it includes) into a <see cref="GatewayPolicy"/>.
/// </summary>
/// <remarks>
/// Never throws for bad input: syntax errors, unknown keys, wrong types, out-of-range values, missing files
/// and I/O failures all become <see cref="PolicyError"/>s with the position of the offending node (I/O
/// failures of the main file at 1:1), and every error is collected in one pass.
/// Policy files are a strict subset of YAML 1.2: one document, no anchors, aliases or tags, booleans only
/// as true/false, integers in decimal, at most 1 MiB per file, includes at most 8 deep.
/// </remarks>
public static class PolicyLoader
{
    public static PolicyLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<PolicyError>();
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return new PolicyLoadResult(null, [new PolicyError(path, 1, 1, $"invalid policy path: {ex.Message}")]);
        }

        try
        {
            var resolver = new IncludeResolver(errors);
            var main = resolver.LoadMain(fullPath);
            if (main is null)
            {
                return new PolicyLoadResult(null, errors);
            }

            var policy = new PolicyReader(errors, resolver.Files).Read(main, resolver.TopLevel);
            return errors.Count == 0 ? new PolicyLoadResult(policy, []) : new PolicyLoadResult(null, errors);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // DESIGN invariant 6: whatever a policy file contains, the answer is a report, never a crash of
            // the reload path. Every known failure is already an error above; this is the backstop.
            errors.Add(new PolicyError(fullPath, 1, 1, $"internal error while reading the policy ({ex.GetType().Name}: {ex.Message})"));
            return new PolicyLoadResult(null, errors);
        }
    }
}
