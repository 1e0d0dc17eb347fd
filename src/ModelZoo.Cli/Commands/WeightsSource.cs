using ModelZoo.Hub;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// What a user gives for weights (<c>train --pretrained</c>, <c>import-weights --weights</c>, <c>weights download</c>)
/// turned into a verified local file: an existing file as it is (checked against <c>--sha256</c> when given), a URL
/// downloaded into the cache (checked against <c>--sha256</c> or the hash prefix in its name), a known name
/// (<c>resnet50.tv2_in1k</c>, or <c>resnet50</c> for the default) fetched through <see cref="WeightsHub"/>. The
/// settings come from the environment (<see cref="HubOptions.FromEnvironment"/>); a download shows progress.
/// </summary>
internal static class WeightsSource
{
    /// <summary>The hub settings in effect (the environment's).</summary>
    public static HubOptions Options => WeightsHub.DefaultOptions;

    /// <summary>True for <c>https://</c>, <c>http://</c> and <c>file://</c> URLs.</summary>
    public static bool IsUrl(string spec) =>
        spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || spec.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The known weights <paramref name="spec"/> names when it is neither a URL nor an existing file; else null.</summary>
    public static WeightsInfo? Known(string? spec) =>
        spec is null || IsUrl(spec) || File.Exists(spec) || Directory.Exists(spec) ? null : WeightsHub.TryFind(spec, out var w) ? w : null;

    /// <summary>For a settings class's <c>Validate</c>: null when <paramref name="spec"/> is a file, a URL or known weights; else why not.</summary>
    public static string? Problem(string option, string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (IsUrl(spec) || File.Exists(spec) || Known(spec) is not null) return null;
        if (Directory.Exists(spec)) return $"{option}: '{spec}' is a folder; give a weights file, a URL or a known weights name";
        return $"{option}: '{spec}' is not a file, a URL or known weights{Suggestions.DidYouMean(spec, Candidates)} ('modelzoo weights list' shows the known names)";
    }

    /// <summary>For <c>--weights NAME</c> (predict, evaluate, embed, export): null when <paramref name="spec"/> is known weights; else why not.</summary>
    public static string? NameProblem(string option, string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (Known(spec) is not null) return null;
        if (IsUrl(spec) || File.Exists(spec))
            return $"{option} takes a known weights name; for a file or URL run 'modelzoo import-weights --model NAME --weights {spec} --output FILE' and use --checkpoint FILE";
        return $"{option}: unknown weights '{spec}'{Suggestions.DidYouMean(spec, Candidates)} ('modelzoo weights list' shows the known names)";
    }

    /// <summary>GoogLeNet's published weights need <see cref="ModelOptions.TransformInput"/>: true when <paramref name="spec"/> names such weights of <paramref name="model"/>.</summary>
    public static bool NeedsTransformInput(string? spec, string model) => Known(spec) is { TransformInput: true } w && w.Model == model;

    /// <summary>
    /// The verified local file for <paramref name="spec"/> (a file, a URL or a known name), downloading it first when
    /// needed. <paramref name="model"/>, when given, must be the model the known weights are for.
    /// </summary>
    /// <exception cref="CliException">The spec is none of those, the weights are another model's, or a file fails <paramref name="sha256"/>.</exception>
    /// <exception cref="WeightsDownloadException">The download failed or its hash did not match.</exception>
    public static string Resolve(string option, string spec, string? sha256, CliEnvironment env, string? model = null, bool quiet = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(env);
        if (IsUrl(spec))
            return Download(env, quiet, UrlLabel(spec), p => WeightsHub.FetchUrl(spec, sha256, Options, p, cancellationToken));
        if (File.Exists(spec))
        {
            if (sha256 is not null)
            {
                string actual = WeightsHub.Sha256Of(spec);
                string expected = sha256.Trim().ToLowerInvariant();
                if (!WeightsHub.HashMatches(actual, expected))
                    throw CliException.Failure($"{option} {spec}: SHA-256 is {actual}, not the --sha256 given ({expected})");
            }
            return spec;
        }
        if (Problem(option, spec) is string problem) throw CliException.Usage(problem);
        var weights = Known(spec)!;
        if (sha256 is not null) throw CliException.Usage($"--sha256 checks a URL or a file; {weights.Name} is checked against its known hash ({weights.Sha256})");
        if (model is not null && weights.Model != Zoo.Resolve(model))
            throw CliException.Usage($"{option} {spec}: these are {weights.Model}'s weights (\"{weights.Name}\"), not {Zoo.Resolve(model)}'s; 'modelzoo weights list' shows each model's");
        return Download(env, quiet, weights.Name, p => WeightsHub.Fetch(weights, Options, p, cancellationToken));
    }

    private static string UrlLabel(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && Path.GetFileName(uri.AbsolutePath) is { Length: > 0 } name ? Uri.UnescapeDataString(name) : url;

    private static IEnumerable<string> Candidates =>
        WeightsHub.All.Select(w => w.Name).Concat(WeightsHub.All.Select(w => w.Model).Distinct(StringComparer.Ordinal));

    private static string Download(CliEnvironment env, bool quiet, string label, Func<IProgress<DownloadProgress>?, string> fetch)
    {
        if (quiet) return fetch(null);
        return DownloadProgressDisplay.Run(env, label, fetch);
    }
}
