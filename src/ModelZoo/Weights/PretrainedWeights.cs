using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// Loads weights saved by PyTorch (a <c>torch.save</c> state dict, <c>.pth</c>/<c>.pt</c>) or any safetensors
/// file into a model, by name, the way <c>load_state_dict</c> does: zoo models use torchvision's parameter names,
/// so torchvision's files load as they are. Wrappers are handled: a dict under <c>state_dict</c> or <c>model</c>,
/// and the <c>module.</c> prefix of <c>DataParallel</c>. The file is read and checked in full before any weight of
/// the model changes.
/// </summary>
public static class PretrainedWeights
{
    private static readonly string[] WrapperPrefixes = ["state_dict.", "model_state_dict.", "model.", "module."];

    /// <summary>
    /// Reads the tensors of a weight file: safetensors by its <c>.safetensors</c> extension, a <c>torch.save</c> file
    /// by its contents (the zip format of PyTorch 1.6 and later, or the legacy format before it), anything else as
    /// safetensors. The caller owns the tensors.
    /// </summary>
    /// <exception cref="WeightsFileException">The file is unreadable, malformed, over a limit, or asks for code to run.</exception>
    public static Dictionary<string, Tensor> Read(string path, WeightsLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new WeightsFileException(path, "does not exist");
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return SafetensorsFile.Read(path, limits);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (TorchZipFile.LooksLikeZip(path)) return TorchZipFile.Read(path, limits);
        // torch.save's format before PyTorch 1.6 (torchvision's VGG and GoogLeNet files).
        if (LegacyTorchFile.LooksLikeLegacy(path)) return LegacyTorchFile.Read(path, limits);
        // Any other .pth/.pt/.bin: TorchZipFile names what it is not.
        return extension is ".pth" or ".pt" or ".bin" or ".tar"
            ? TorchZipFile.Read(path, limits)
            : SafetensorsFile.Read(path, limits);
    }

    /// <summary>
    /// Copies the weights of <paramref name="path"/> into <paramref name="model"/> by name (values converted to each
    /// parameter's dtype). With <paramref name="strict"/> every model key must be in the file and every file key
    /// in the model; otherwise missing and unexpected keys are reported in the result. A key whose shape differs
    /// is an error either way. All problems are listed in one <see cref="WeightsFileException"/>, thrown before
    /// anything is copied.
    /// </summary>
    /// <exception cref="WeightsFileException">The file is bad or does not fit the model.</exception>
    public static WeightsLoadResult Load(nn.Module model, string path, bool strict = true, WeightsLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = Read(path, limits);
        try
        {
            return LoadInto(model, tensors, path, strict);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Like <see cref="Load"/>, from tensors already in memory (<paramref name="source"/> names them in errors).</summary>
    /// <exception cref="WeightsFileException">The tensors do not fit the model.</exception>
    public static WeightsLoadResult LoadInto(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors, string source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        var live = model.state_dict();
        var (named, prefix) = StripWrappers(tensors, live);
        return Copy(model, live, named, source, strict, prefix, reinitialized: [], adapted: [], ignorable: _ => false);
    }

    /// <summary>
    /// Loads weights into zoo model <paramref name="model"/> for fine-tuning (its card, <see cref="IZooModel.Card"/>, names
    /// the head and the first convolution): like a strict <see cref="Load"/>, except
    /// that (1) classifier layers (the card's <see cref="ModelCard.HeadNames"/>) whose shape differs because the file
    /// was trained for other classes keep the model's fresh initialisation, and file keys of heads the model does not
    /// have (GoogLeNet's auxiliary heads) are ignored; (2) a first convolution (<see cref="ModelCard.FirstConvName"/>)
    /// trained for another number of input channels is adapted with <see cref="InputConvAdapter"/> (grey input sums
    /// the RGB filters). Any other mismatch is an error, listed with the rest before anything is copied.
    /// </summary>
    /// <exception cref="WeightsFileException">The file is bad or does not fit the model.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not a zoo model (it has no card).</exception>
    public static WeightsLoadResult LoadForFineTuning(nn.Module model, string path, WeightsLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var card = Zoo.CardOf(model);
        var tensors = Read(path, limits);
        var owned = new List<Tensor>();
        try
        {
            var live = model.state_dict();
            var (named, prefix) = StripWrappers(tensors, live);
            var heads = card.HeadNames.Select(h => h + ".").ToArray();
            bool IsHead(string key) => heads.Any(h => key.StartsWith(h, StringComparison.Ordinal));
            var headModules = card.HeadNames.Select(TopModule).ToHashSet(StringComparer.Ordinal);
            var liveModules = live.Keys.Select(TopModule).ToHashSet(StringComparer.Ordinal);
            var reinitialized = new List<string>();
            var adapted = new List<string>();
            string firstConv = card.FirstConvName + ".weight";
            foreach (var (key, target) in live)
            {
                if (!named.TryGetValue(key, out var value) || value.shape.SequenceEqual(target.shape)) continue;
                if (IsHead(key))
                {
                    named.Remove(key);
                    reinitialized.Add(key);
                }
                else if (key == firstConv && value.dim() == 4 && value.shape[0] == target.shape[0] && value.shape[2] == target.shape[2] && value.shape[3] == target.shape[3])
                {
                    var conv = InputConvAdapter.Adapt(value, target.shape[1]);
                    owned.Add(conv);
                    named[key] = conv;
                    adapted.Add(key);
                }
            }
            // Auxiliary heads in the file that this model was built without.
            bool Ignorable(string key) => headModules.Contains(TopModule(key)) && !liveModules.Contains(TopModule(key));
            return Copy(model, live, named, path, strict: true, prefix, reinitialized, adapted, Ignorable);
        }
        finally
        {
            foreach (var t in tensors.Values.Concat(owned)) t.Dispose();
        }
    }

    /// <summary>
    /// Whether parameter <paramref name="parameterName"/> of a model with card <paramref name="card"/> belongs to its
    /// classifier (the card's <see cref="ModelCard.HeadNames"/>) rather than the backbone.
    /// </summary>
    public static bool IsHeadParameter(ModelCard card, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(parameterName);
        return card.HeadNames.Any(h => parameterName.StartsWith(h + ".", StringComparison.Ordinal));
    }

    /// <summary>
    /// Freezes the backbone (every parameter outside the classifier, see <see cref="IsHeadParameter"/>): their
    /// <c>requires_grad</c> goes off, so an optimiser over the trainable parameters trains the head only, and the
    /// backbone's batch norms get momentum 0, so their running statistics stay as imported (in training mode they still
    /// normalise with the batch's statistics, as PyTorch's do; only <c>num_batches_tracked</c> keeps counting).
    /// Returns how many parameter tensors were frozen.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not a zoo model (it has no card).</exception>
    public static int FreezeBackbone(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var card = Zoo.CardOf(model);
        int frozen = 0;
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (IsHeadParameter(card, name)) continue;
            parameter.requires_grad = false;
            frozen++;
        }
        foreach (var (name, module) in model.named_modules())
        {
            if (module is TorchSharp.Modules.BatchNorm2d bn && !IsHeadParameter(card, name + ".weight")) bn.momentum = 0.0;
        }
        return frozen;
    }

    private static string TopModule(string key) => key.Split('.')[0];

    private static WeightsLoadResult Copy(nn.Module model, IDictionary<string, Tensor> live, Dictionary<string, Tensor> named, string source, bool strict,
        string prefix, List<string> reinitialized, List<string> adapted, Func<string, bool> ignorable)
    {
        var missing = live.Keys.Where(k => !named.ContainsKey(k) && !reinitialized.Contains(k)).ToList();
        var unexpected = named.Keys.Where(k => !live.ContainsKey(k) && !ignorable(k)).ToList();
        var ignored = named.Keys.Where(k => !live.ContainsKey(k) && ignorable(k)).ToList();
        var misshaped = live.Where(kv => named.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} is [{string.Join(", ", named[kv.Key].shape)}] in the file but [{string.Join(", ", kv.Value.shape)}] in the model")
            .ToList();
        var problems = new List<string>();
        if (strict && missing.Count > 0) problems.Add($"{missing.Count} of the model's {live.Count} keys missing from the file ({FirstFew(missing, ", ")})");
        if (strict && unexpected.Count > 0) problems.Add($"{unexpected.Count} of the file's {named.Count} keys not in the model ({FirstFew(unexpected, ", ")})");
        if (misshaped.Count > 0) problems.Add($"{misshaped.Count} keys of the wrong shape ({FirstFew(misshaped, "; ")})");
        if (problems.Count > 0)
            throw new WeightsFileException(source, "does not fit the model: " + string.Join("; ", problems)
                + (strict && (missing.Count > 0 || unexpected.Count > 0) || misshaped.Count > 0 ? WeightsKeyMatch.Hint(named.Keys, live.Keys) : ""));

        var loaded = new List<string>();
        using (no_grad())
        {
            foreach (var (key, target) in live)
            {
                if (!named.TryGetValue(key, out var value)) continue;
                target.copy_(value);
                loaded.Add(key);
            }
        }
        return new WeightsLoadResult(loaded, missing, unexpected.Concat(ignored).ToList(), prefix) { Adapted = adapted, Reinitialized = reinitialized };
    }

    /// <summary>How many keys a message lists before "and N more".</summary>
    internal const int KeysListed = 5;

    /// <summary>The first <see cref="KeysListed"/> items, then "and N more".</summary>
    private static string FirstFew(IReadOnlyList<string> items, string separator) =>
        items.Count <= KeysListed ? string.Join(separator, items) : string.Join(separator, items.Take(KeysListed)) + $"{separator}and {items.Count - KeysListed} more";

    private static (Dictionary<string, Tensor> Named, string Prefix) StripWrappers(IReadOnlyDictionary<string, Tensor> tensors, IDictionary<string, Tensor> live)
    {
        var named = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        string stripped = "";
        for (int round = 0; round < 3; round++)
        {
            if (named.Keys.Count(live.ContainsKey) * 2 > named.Count) break; // already the model's names
            string? prefix = WrapperPrefixes.FirstOrDefault(p => named.Count > 0 && named.Keys.Count(k => k.StartsWith(p, StringComparison.Ordinal)) * 2 > named.Count);
            if (prefix is null) break;
            named = named.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            stripped += prefix;
        }
        return (named, stripped);
    }
}
