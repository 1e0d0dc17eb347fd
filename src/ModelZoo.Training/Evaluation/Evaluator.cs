using ModelZoo.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Evaluation;

/// <summary>
/// Evaluates one model, or an ensemble whose prediction is the average of its members' softmax
/// probabilities, on a batch source: loss, top-1, top-k, per-class precision/recall, confusion matrix
/// and the most confident mistakes. Every batch runs in its own dispose scope under no_grad.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates <paramref name="models"/> (an ensemble when more than one) on every batch of epoch 0 of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">No model, no class names, or a label outside the class list.</exception>
    public static EvaluationReport Evaluate(
        IReadOnlyList<nn.Module<Tensor, Tensor>> models,
        IBatchSource data,
        IReadOnlyList<string> classNames,
        EvaluationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (models.Count == 0) throw new ArgumentException("at least one model is needed", nameof(models));
        if (classNames.Count == 0) throw new ArgumentException("at least one class name is needed", nameof(classNames));
        options ??= new EvaluationOptions();
        int classes = classNames.Count;
        int k = Math.Clamp(options.TopK, 1, classes);
        var device = options.Device ?? models[0].parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        foreach (var m in models) m.eval();

        var confusion = new long[classes][];
        for (int i = 0; i < classes; i++) confusion[i] = new long[classes];
        double lossSum = 0;
        long samples = 0, top1 = 0, topk = 0;
        var mistakes = new List<MisclassifiedSample>();

        using (no_grad())
        {
            foreach (var batch in data.GetEpoch(0, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var owned = batch;
                var x = batch.Images.to(device);
                var y = batch.Labels.to(device);
                if (batch.Count > 0)
                {
                    long low = y.min().item<long>(), high = y.max().item<long>();
                    if (low < 0 || high >= classes)
                        throw new ArgumentException($"a label ({(low < 0 ? low : high)}) is outside the {classes} classes");
                }
                Tensor probs = zeros(batch.Count, classes, device: device);
                foreach (var model in models)
                {
                    var logits = model.forward(x);
                    if (logits.shape[1] != classes)
                        throw new ArgumentException($"a model outputs {logits.shape[1]} classes but the data has {classes}");
                    probs.add_(logits.softmax(1));
                }
                probs.div_(models.Count);
                var nll = -probs.gather(1, y.unsqueeze(1)).clamp_min(1e-12).log();
                lossSum += nll.sum().item<float>();

                var (topValues, topIndices) = probs.topk(k, dim: 1);
                long[] labels = y.cpu().data<long>().ToArray();
                long[] top = topIndices.cpu().contiguous().data<long>().ToArray();
                float[] conf = topValues.cpu().contiguous().data<float>().ToArray();
                for (int i = 0; i < labels.Length; i++)
                {
                    long label = labels[i];
                    long predicted = top[i * k];
                    confusion[label][predicted]++;
                    if (predicted == label) top1++;
                    for (int j = 0; j < k; j++) if (top[i * k + j] == label) { topk++; break; }
                    if (predicted != label)
                        mistakes.Add(new MisclassifiedSample(batch.Indices[i], (int)label, (int)predicted, conf[i * k]));
                }
                samples += labels.Length;
            }
        }

        var perClass = new List<ClassMetrics>(classes);
        for (int c = 0; c < classes; c++)
        {
            long support = confusion[c].Sum();
            long predictedAs = 0;
            for (int t = 0; t < classes; t++) predictedAs += confusion[t][c];
            long tp = confusion[c][c];
            perClass.Add(new ClassMetrics(classNames[c], support, predictedAs, tp,
                predictedAs == 0 ? 0 : (double)tp / predictedAs,
                support == 0 ? 0 : (double)tp / support));
        }

        var worst = mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(Math.Max(0, options.MaxMisclassified)).ToList();
        return new EvaluationReport(
            samples, models.Count,
            samples == 0 ? double.NaN : lossSum / samples,
            samples == 0 ? 0 : (double)top1 / samples,
            samples == 0 ? 0 : (double)topk / samples,
            k, classNames.ToList(), perClass, confusion, worst);
    }
}
