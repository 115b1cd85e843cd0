using Gateway.Host.Hosting;
using Gateway.Policy;
using Gateway.Spam.Classifier;

namespace Gateway.Host.Cli;

/// <summary>
/// `gateway check`: loads the policy set exactly as `run` would (including certificates and credentials) and
/// prints every problem as file:line:column: message.
/// </summary>
internal static class CheckCommand
{
    public static int Execute(CommandLine command)
    {
        var result = PolicyLoader.Load(command.ConfigPath);
        if (!result.Success)
        {
            foreach (var error in result.Errors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            Console.Error.WriteLine($"gateway: {result.Errors.Count} problem(s) in the policy set");
            return ExitCodes.Failure;
        }

        var runtime = PolicyRuntime.TryBuild(result.Policy!, RuntimeServices.Standalone(result.Policy!, TimeProvider.System), out var runtimeErrors);
        if (runtime is null)
        {
            foreach (var error in runtimeErrors)
            {
                Console.Out.WriteLine(error.ToString());
            }

            return ExitCodes.Failure;
        }

        runtime.Dispose();
        var spam = result.Policy!.Spam;
        if (spam is { Enabled: true, Model: { } model })
        {
            var at = spam.ModelSource ?? new PolicyPosition(result.Policy.SourceFiles.Count > 0 ? result.Policy.SourceFiles[0] : "policy", 1, 1);
            int? version;
            try
            {
                version = SpamModelFile.ReadVersion(model);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Replaced or removed since the runtime above loaded it (a `spam train` writing it now, say).
                Console.Out.WriteLine(at.At($"spam.model '{model}' could not be read again: {ex.Message}"));
                return ExitCodes.Failure;
            }

            if (version < SpamModelFile.Version)
            {
                // It loads and scores, so the policy is valid; but scoring is weaker until the model is retrained.
                Console.Out.WriteLine(at.At($"warning: spam.model '{model}' was written by an older gateway: about half of its features no longer match, retrain it with `gateway spam train` into a new file"));
            }
        }

        Console.Out.WriteLine($"{Path.GetFullPath(command.ConfigPath)}: policy OK ({result.Policy!.SourceFiles.Count} file(s))");
        return ExitCodes.Ok;
    }
}
