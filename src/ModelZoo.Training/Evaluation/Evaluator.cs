using System.Diagnostics;
using ModelZoo.Data;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Evaluation;

/// <summary>
/// The evaluation loop, used by per-epoch validation in <see cref="Trainer"/>, by <c>modelzoo evaluate</c> and by library
/// users. Evaluates one model, or an ensemble whose prediction is the average of its members' softmax probabilities,
/// on epoch 0 of a batch source: loss, top-1, top-k and, when <see cref="EvaluationOptions.Details"/> is on,
/// per-class precision/recall, the confusion matrix and the most confident mistakes. The loss of one model is the
/// mean cross-entropy of its logits; of an ensemble, the mean negative log of the averaged probability of the true
/// class. Every batch runs in its own dispose scope under no_grad.
/// </summary>
public static class Evaluator
{
    /// <summary>Batches between progress reports.</summary>
    public const int ProgressInterval = 10;

    /// <summary>
    /// Evaluates one model without class names: loss, top-1 and top-k only (<see cref="EvaluationOptions.Details"/> is
    /// ignored; details need class names: use the other overload). The path of per-epoch validation.
    /// </summary>
    public static EvaluationReport Evaluate(
        nn.Module<Tensor, Tensor> model,
        IBatchSource data,
        EvaluationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Evaluate([model], data, null, (options ?? new EvaluationOptions()) with { Details = false }, cancellationToken);
    }

    /// <summary>Evaluates <paramref name="models"/> (an ensemble when more than one) on every batch of epoch 0 of <paramref name="data"/>.</summary>
    /// <param name="models">The model or the ensemble's members.</param>
    /// <param name="data">The batches.</param>
    /// <param name="classNames">Class names; needed for details, and when given every label is checked against them.</param>
    /// <param name="options">Options; null: top-5 with details.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="ArgumentException">No model, no class names when details are on, or a label outside the class list.</exception>
    public static EvaluationReport Evaluate(
        IReadOnlyList<nn.Module<Tensor, Tensor>> models,
        IBatchSource data,
        IReadOnlyList<string>? classNames,
        EvaluationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(data);
        if (models.Count == 0) throw new ArgumentException("at least one model is needed", nameof(models));
        options ??= new EvaluationOptions();
        bool details = options.Details;
        if (classNames is { Count: 0 } || (details && classNames is null))
            throw new ArgumentException("at least one class name is needed", nameof(classNames));
        int? classes = classNames?.Count;
        var device = options.Device ?? models[0].parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        foreach (var m in models) m.eval();
        bool single = models.Count == 1;

        long[][] confusion = [];
        if (details)
        {
            confusion = new long[classes!.Value][];
            for (int i = 0; i < classes.Value; i++) confusion[i] = new long[classes.Value];
        }
        double lossSum = 0;
        long samples = 0, top1 = 0, topk = 0;
        int batches = 0, k = 0;
        var mistakes = new List<MisclassifiedSample>();
        var losses = new List<SampleLoss>();
        int keepLosses = options.ProcessGroup is { WorldSize: > 1 } ? 0 : Math.Max(0, options.MaxTopLosses);
        var watch = Stopwatch.StartNew();

        using (no_grad())
        {
            foreach (var batch in data.GetEpoch(0, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var x = batch.Images.to(device);
                    var y = batch.Labels.to(device);
                    if (classes is int n && batch.Count > 0)
                    {
                        long low = y.min().item<long>(), high = y.max().item<long>();
                        if (low < 0 || high >= n)
                            throw new ArgumentException($"a label ({(low < 0 ? low : high)}) is outside the {n} classes");
                    }
                    Tensor scores;
                    Tensor? probs = null;
                    Tensor? perSample = null;
                    if (single)
                    {
                        scores = Forward(models[0], x, classes, options, device);
                        lossSum += nn.functional.cross_entropy(scores, y, reduction: nn.Reduction.Sum).item<float>();
                        if (details && keepLosses > 0) perSample = nn.functional.cross_entropy(scores, y, reduction: nn.Reduction.None);
                    }
                    else
                    {
                        probs = null;
                        foreach (var model in models)
                        {
                            var logits = Forward(model, x, classes, options, device);
                            probs = probs is null ? logits.softmax(1) : probs.add_(logits.softmax(1));
                        }
                        probs = probs!.div_(models.Count);
                        scores = probs;
                        perSample = -probs.gather(1, y.unsqueeze(1)).clamp_min(1e-12).log().squeeze(1);
                        lossSum += perSample.sum().item<float>();
                    }
                    k = (int)Math.Clamp(options.TopK, 1, scores.shape[1]);
                    var topIndices = scores.topk(k, dim: 1).indexes;
                    if (!details)
                    {
                        var hits = topIndices.eq(y.unsqueeze(1));
                        top1 += hits.narrow(1, 0, 1).sum().item<long>();
                        topk += hits.any(1).sum().item<long>();
                    }
                    else
                    {
                        probs ??= scores.softmax(1);
                        var confidence = probs.gather(1, topIndices.narrow(1, 0, 1));
                        long[] labels = y.cpu().data<long>().ToArray();
                        long[] top = topIndices.cpu().contiguous().data<long>().ToArray();
                        float[] conf = confidence.cpu().contiguous().data<float>().ToArray();
                        float[]? sampleLoss = keepLosses > 0 && perSample is not null ? perSample.cpu().contiguous().data<float>().ToArray() : null;
                        for (int i = 0; i < labels.Length; i++)
                        {
                            long label = labels[i];
                            long predicted = top[i * k];
                            confusion[label][predicted]++;
                            if (predicted == label) top1++;
                            for (int j = 0; j < k; j++) if (top[i * k + j] == label) { topk++; break; }
                            if (predicted != label)
                                mistakes.Add(new MisclassifiedSample(batch.Indices[i], (int)label, (int)predicted, conf[i]));
                            if (sampleLoss is not null)
                                losses.Add(new SampleLoss(batch.Indices[i], (int)label, (int)predicted, conf[i], sampleLoss[i]));
                        }
                        if (losses.Count > 4 * keepLosses + 1024) losses = TopOf(losses, keepLosses);
                    }
                    samples += batch.Count;
                    batches++;
                }
                if (options.Progress is { } progress && batches % ProgressInterval == 0)
                    progress(new TrainingProgress("val", 0, 0, batches, data.BatchesPerEpoch, 0, lossSum / samples, (double)top1 / samples, 0,
                        samples / Math.Max(1e-9, watch.Elapsed.TotalSeconds), Eta(watch.Elapsed, batches, data.BatchesPerEpoch)));
            }
        }

        if (options.ProcessGroup is { WorldSize: > 1 } group)
        {
            // Sums of every process's shard: loss, counts, the confusion matrix, and each process's most confident
            // mistakes, gathered.
            double[] sums = [lossSum, samples, top1, topk];
            group.AllReduceSum(sums);
            (lossSum, samples, top1, topk) = (sums[0], (long)sums[1], (long)sums[2], (long)sums[3]);
            if (details)
            {
                int n = classes!.Value;
                var flat = new double[n * n];
                for (int t = 0; t < n; t++) for (int c = 0; c < n; c++) flat[t * n + c] = confusion[t][c];
                group.AllReduceSum(flat);
                for (int t = 0; t < n; t++) for (int c = 0; c < n; c++) confusion[t][c] = (long)flat[t * n + c];
                int keep = Math.Max(0, options.MaxMisclassified);
                var slots = new double[keep * 5];
                var mine = mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(keep).ToList();
                for (int i = 0; i < mine.Count; i++)
                    (slots[i * 5], slots[i * 5 + 1], slots[i * 5 + 2], slots[i * 5 + 3], slots[i * 5 + 4]) = (1, mine[i].Index, mine[i].Label, mine[i].Predicted, mine[i].Confidence);
                var gathered = group.AllGather(slots);
                mistakes = [];
                for (int at = 0; at < gathered.Length; at += 5)
                    if (gathered[at] == 1) mistakes.Add(new MisclassifiedSample((int)gathered[at + 1], (int)gathered[at + 2], (int)gathered[at + 3], (float)gathered[at + 4]));
            }
        }

        var perClass = new List<ClassMetrics>();
        if (details)
        {
            for (int c = 0; c < classes!.Value; c++)
            {
                long support = confusion[c].Sum();
                long predictedAs = 0;
                for (int t = 0; t < classes.Value; t++) predictedAs += confusion[t][c];
                long tp = confusion[c][c];
                perClass.Add(new ClassMetrics(classNames![c], support, predictedAs, tp,
                    predictedAs == 0 ? 0 : (double)tp / predictedAs,
                    support == 0 ? 0 : (double)tp / support));
            }
        }
        if (k == 0) k = classes is int c0 ? Math.Clamp(options.TopK, 1, c0) : options.TopK;

        var dataset = (data as DataLoader)?.Dataset;
        var worst = mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(Math.Max(0, options.MaxMisclassified))
            .Select(m => m with { File = FileOf(dataset, m.Index) }).ToList();
        return new EvaluationReport(
            samples, models.Count,
            samples == 0 ? double.NaN : lossSum / samples,
            samples == 0 ? 0 : (double)top1 / samples,
            samples == 0 ? 0 : (double)topk / samples,
            k, classNames?.ToList() ?? [], perClass, confusion, worst)
        {
            TopLosses = TopOf(losses, keepLosses).Select(l => l with { File = FileOf(dataset, l.Index) }).ToList(),
        };
    }

    /// <summary>The image file of sample <paramref name="index"/> when the data set (through any subsets) is a folder of files.</summary>
    private static string? FileOf(IImageDataset? dataset, int index)
    {
        while (dataset is SubsetDataset subset)
        {
            index = subset.SourceIndex(index);
            dataset = subset.Source;
        }
        return dataset is ModelZoo.Data.Folders.ImageFolderDataset folder ? folder.Describe(index) : null;
    }

    private static List<SampleLoss> TopOf(List<SampleLoss> losses, int keep) =>
        losses.OrderByDescending(l => l.Loss).ThenBy(l => l.Index).Take(keep).ToList();

    private static Tensor Forward(nn.Module<Tensor, Tensor> model, Tensor x, int? classes, EvaluationOptions options, Device device)
    {
        if (options.ChannelsLast) x = ChannelsLast.Convert(x);
        Tensor logits;
        using (Autocast.Enter(options.Precision, device.type))
        {
            logits = model.forward(x);
        }
        if (logits.dtype != ScalarType.Float32) logits = logits.to_type(ScalarType.Float32);
        if (classes is int n && logits.shape[1] != n)
            throw new ArgumentException($"a model outputs {logits.shape[1]} classes but the data has {n}");
        return logits;
    }

    private static TimeSpan Eta(TimeSpan elapsed, int done, int total) =>
        done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * Math.Max(0, total - done));
}
