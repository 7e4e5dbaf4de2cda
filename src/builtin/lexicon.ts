/**
 * The engine's vocabulary: Portuguese and English function words, keyword phrases, number and month words, a light
 * stemmer and a small table of GENERAL synonyms (pt ↔ en, abbreviations). Nothing here may name a particular data
 * set: the engine is judged on files it has never seen, so every word must be one a user could say about any table.
 * All entries are written folded (no accents, lower case) — see normalize.ts.
 */

import { PT_PHRASES } from './idioms-pt.js';
import { NAME_GROUPS, SYNONYM_GROUPS } from './synonyms.js';

export type Lang = 'pt' | 'en';

/** What a keyword phrase contributes to the question's meaning. */
export type Keyword =
  | 'count' // how many, quantos, número de
  | 'howmuch' // how much, quanto: a sum when there is a measure, a count otherwise
  | 'avg'
  | 'median'
  | 'stddev' // standard deviation / desvio padrão (of the sample)
  | 'percent' // percentage / porcentagem: a share of the rows, or each group's share of a total
  | 'sum'
  | 'total' // "total": a sum of a measure, or a count of rows ("total de pedidos")
  | 'high' // highest, maior, most, mais — an aggregate (MAX) or a ranking, decided by the rest of the question
  | 'low'
  | 'frequent' // most common / mais frequente: a count ranking
  | 'top' // "top 5"
  | 'distinct'
  | 'by' // group marker
  | 'list'
  | 'which' // question word that may introduce the entity being asked about
  | 'when'
  | 'who' // who/quem: the rows themselves, named by the table's label column
  | 'recent'
  | 'oldest'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'eq'
  | 'orMore' // postfix "20 ou mais"
  | 'orLess'
  | 'between'
  | 'and'
  | 'after'
  | 'before'
  | 'in' // em / in / during: introduces a year or month
  | 'empty'
  | 'notEmpty'
  | 'without' // sem X → X is empty; sem V → not V
  | 'not'
  | 'with' // com / with: introduces a filter or a ranking measure
  | 'unit:year'
  | 'unit:month'
  | 'unit:day'
  | 'unit:week'
  | 'unit:hour'
  | 'unit:weekday'
  | 'row' // rows, records, registros: the table's rows themselves
  | 'filler' // words with no meaning for the query ("type of", "sold", "in total")
  | 'or' // "X or Y": a choice between named things
  | 'than' // "more … than X": a comparison with a named thing
  | 'same' // "the same … as X"
  | 'prev' // previous, preceding, anterior: the row before, in the table's order
  | 'next' // next, following, seguinte: the row after
  | 'difference' // difference between two named things
  | 'beside' // "next to X": the row after X, or the cell beside X in the same row — not read
  | 'unsupported' // a computation the engine does not do: streaks ("consecutive", "in a row"), spans
  | 'moreless' // "more or less": which of the two holds
  | 'refuse'; // why, should, predict, correlation…: questions this engine must not answer

/**
 * Keyword phrases, folded. Longer phrases win over their prefixes ("mais de" is a comparator, "mais" a superlative).
 * Words that are ALSO column names in a given table lose to the column (schema-match runs first).
 */
const PHRASES: ReadonlyArray<readonly [string, Keyword]> = [
  // counting
  ['how many', 'count'],
  ['quantos', 'count'],
  ['quantas', 'count'],
  ['numero de', 'count'],
  ['numero', 'count'],
  ['numero total de', 'count'],
  ['number of', 'count'],
  ['total number of', 'count'],
  ['count', 'count'],
  ['count of', 'count'],
  ['contagem', 'count'],
  ['contagem de', 'count'],
  ['conte', 'count'],
  ['contar', 'count'],
  ['quantidade de', 'count'],
  ['qtd de', 'count'],
  ['how much', 'howmuch'],
  ['quanto', 'howmuch'],
  ['quanta', 'howmuch'],
  // aggregates
  ['average', 'avg'],
  ['avg', 'avg'],
  ['mean', 'avg'],
  ['media', 'avg'],
  ['medio', 'avg'],
  ['medias', 'avg'],
  ['medios', 'avg'],
  ['media de', 'avg'],
  ['em media', 'avg'],
  ['on average', 'avg'],
  ['median', 'median'],
  ['medians', 'median'],
  ['mediana', 'median'],
  ['medianas', 'median'],
  ['mediano', 'median'],
  ['medianos', 'median'],
  ['mediana de', 'median'],
  ['standard deviation', 'stddev'],
  ['standard deviations', 'stddev'],
  ['standard deviation of', 'stddev'],
  ['std dev', 'stddev'],
  ['stddev', 'stddev'],
  ['stdev', 'stddev'],
  ['desvio padrao', 'stddev'],
  ['desvios padrao', 'stddev'],
  ['desvio padrao de', 'stddev'],
  ['desvio padrao do', 'stddev'],
  ['desvio padrao da', 'stddev'],
  ['percent', 'percent'],
  ['percent of', 'percent'],
  ['share of', 'percent'],
  ['participacao de', 'percent'],
  ['percentage', 'percent'],
  ['percentage of', 'percent'],
  ['proportion', 'percent'],
  ['proportion of', 'percent'],
  ['porcentagem', 'percent'],
  ['porcentagem de', 'percent'],
  ['percentual', 'percent'],
  ['percentual de', 'percent'],
  ['proporcao', 'percent'],
  ['proporcao de', 'percent'],
  ['sum', 'sum'],
  ['sum of', 'sum'],
  ['soma', 'sum'],
  ['soma de', 'sum'],
  ['somatorio', 'sum'],
  ['somado', 'sum'],
  ['somada', 'sum'],
  ['total', 'total'],
  ['totais', 'total'],
  ['total de', 'total'],
  ['total of', 'total'],
  ['combined', 'sum'],
  ['added together', 'sum'],
  ['added up', 'sum'],
  ['somados', 'sum'],
  ['somadas', 'sum'],
  ['max', 'high'],
  ['maximum', 'high'],
  ['highest', 'high'],
  ['largest', 'high'],
  ['biggest', 'high'],
  ['greatest', 'high'],
  ['most', 'high'],
  ['maior', 'high'],
  ['maiores', 'high'],
  ['maximo', 'high'],
  ['maxima', 'high'],
  ['mais', 'high'],
  ['mais alto', 'high'],
  ['mais alta', 'high'],
  ['mais altos', 'high'],
  ['mais altas', 'high'],
  ['mais elevado', 'high'],
  ['mais elevada', 'high'],
  ['higher', 'high'],
  ['more', 'high'],
  ['min', 'low'],
  ['minimum', 'low'],
  ['lowest', 'low'],
  ['smallest', 'low'],
  ['least', 'low'],
  ['fewest', 'low'],
  ['menor', 'low'],
  ['menores', 'low'],
  ['minimo', 'low'],
  ['minima', 'low'],
  ['menos', 'low'],
  ['mais baixo', 'low'],
  ['mais baixa', 'low'],
  ['mais baixos', 'low'],
  ['mais baixas', 'low'],
  ['lower', 'low'],
  ['fewer', 'low'],
  ['most common', 'frequent'],
  ['most frequent', 'frequent'],
  ['most popular', 'frequent'],
  ['mais comum', 'frequent'],
  ['mais comuns', 'frequent'],
  ['mais frequente', 'frequent'],
  ['mais frequentes', 'frequent'],
  ['top', 'top'],
  ['distinct', 'distinct'],
  ['different', 'distinct'],
  ['unique', 'distinct'],
  ['diferentes', 'distinct'],
  ['distintos', 'distinct'],
  ['distintas', 'distinct'],
  ['unicos', 'distinct'],
  ['unicas', 'distinct'],
  // grouping
  ['by', 'by'],
  ['per', 'by'],
  ['por', 'by'],
  ['each', 'by'],
  ['cada', 'by'],
  ['for each', 'by'],
  ['for every', 'by'],
  ['para cada', 'by'],
  ['em cada', 'by'],
  ['de cada', 'by'],
  ['por cada', 'by'],
  ['in each', 'by'],
  ['grouped by', 'by'],
  ['broken down by', 'by'],
  ['split by', 'by'],
  ['agrupado por', 'by'],
  ['agrupados por', 'by'],
  ['agrupadas por', 'by'],
  ['dividido por', 'by'],
  ['separado por', 'by'],
  // listing and question words
  ['list', 'list'],
  ['show', 'list'],
  ['show me', 'list'],
  ['display', 'list'],
  ['give me', 'list'],
  ['mostre', 'list'],
  ['mostrar', 'list'],
  ['me mostre', 'list'],
  ['liste', 'list'],
  ['listar', 'list'],
  ['exiba', 'list'],
  ['exibir', 'list'],
  ['me de', 'list'],
  ['cite', 'list'],
  ['nomeie', 'list'],
  ['mencione', 'list'],
  ['which', 'which'],
  ['em que', 'which'],
  ['o que', 'which'],
  ['de que', 'which'],
  ['mais bem colocado', 'top'],
  ['mais bem colocada', 'top'],
  ['mais bem classificado', 'top'],
  ['mais bem classificada', 'top'],
  ['melhor colocado', 'top'],
  ['melhor colocada', 'top'],
  ['melhor classificado', 'top'],
  ['melhor classificada', 'top'],
  ['what', 'which'],
  ['qual', 'which'],
  ['quais', 'which'],
  ['who', 'who'],
  ['quem', 'who'],
  ['when', 'when'],
  ['quando', 'when'],
  ['em que data', 'when'],
  ['on which date', 'when'],
  ['on what date', 'when'],
  ['most recent', 'recent'],
  ['mais recente', 'recent'],
  ['mais recentes', 'recent'],
  ['latest', 'recent'],
  ['newest', 'recent'],
  ['last', 'recent'],
  ['ultimo', 'recent'],
  ['ultima', 'recent'],
  ['ultimos', 'recent'],
  ['ultimas', 'recent'],
  ['mais novo', 'recent'],
  ['mais nova', 'recent'],
  ['oldest', 'oldest'],
  ['earliest', 'oldest'],
  ['first', 'oldest'],
  ['mais antigo', 'oldest'],
  ['mais antiga', 'oldest'],
  ['mais antigos', 'oldest'],
  ['mais antigas', 'oldest'],
  ['primeiro', 'oldest'],
  ['primeira', 'oldest'],
  // comparisons
  ['above', 'gt'],
  ['over', 'gt'],
  ['more than', 'gt'],
  ['greater than', 'gt'],
  ['higher than', 'gt'],
  ['bigger', 'high'],
  ['larger', 'high'],
  ['greater', 'high'],
  ['smaller', 'low'],
  ['less', 'low'],
  ['earlier', 'oldest'],
  ['later', 'recent'],
  ['mais cedo', 'oldest'],
  ['mais tarde', 'recent'],
  ['bigger than', 'gt'],
  ['larger than', 'gt'],
  ['exceeding', 'gt'],
  ['acima de', 'gt'],
  ['acima', 'gt'],
  ['mais de', 'gt'],
  ['mais que', 'gt'],
  ['mais do que', 'gt'],
  ['maior que', 'gt'],
  ['maior do que', 'gt'],
  ['maiores que', 'gt'],
  ['superior a', 'gt'],
  ['superiores a', 'gt'],
  ['>', 'gt'],
  ['at least', 'gte'],
  ['no less than', 'gte'],
  ['no fewer than', 'gte'],
  ['no earlier than', 'gte'],
  ['no more than', 'lte'],
  ['no later than', 'lte'],
  ['maior ou igual a', 'gte'],
  ['maior ou igual', 'gte'],
  ['greater than or equal to', 'gte'],
  ['more than or equal to', 'gte'],
  ['menor ou igual a', 'lte'],
  ['menor ou igual', 'lte'],
  ['less than or equal to', 'lte'],
  ['pelo menos', 'gte'],
  ['no minimo', 'gte'],
  ['ao menos', 'gte'],
  ['>=', 'gte'],
  ['or more', 'orMore'],
  ['ou mais', 'orMore'],
  ['below', 'lt'],
  ['under', 'lt'],
  ['less than', 'lt'],
  ['lower than', 'lt'],
  ['smaller than', 'lt'],
  ['fewer than', 'lt'],
  ['abaixo de', 'lt'],
  ['abaixo', 'lt'],
  ['menos de', 'lt'],
  ['menos que', 'lt'],
  ['menos do que', 'lt'],
  ['menor que', 'lt'],
  ['menor do que', 'lt'],
  ['menores que', 'lt'],
  ['inferior a', 'lt'],
  ['inferiores a', 'lt'],
  ['<', 'lt'],
  ['at most', 'lte'],
  ['no maximo', 'lte'],
  ['up to', 'lte'],
  ['ate', 'lte'],
  ['<=', 'lte'],
  ['or less', 'orLess'],
  ['ou menos', 'orLess'],
  ['equal to', 'eq'],
  ['equals', 'eq'],
  ['igual a', 'eq'],
  ['exactly', 'eq'],
  ['exatamente', 'eq'],
  ['=', 'eq'],
  ['between', 'between'],
  ['entre', 'between'],
  ['and', 'and'],
  ['e', 'and'],
  ['after', 'after'],
  ['since', 'after'],
  ['later than', 'after'],
  ['depois de', 'after'],
  ['apos', 'after'],
  ['desde', 'after'],
  ['a partir de', 'after'],
  ['before', 'before'],
  ['earlier than', 'before'],
  ['antes de', 'before'],
  ['in', 'in'],
  ['em', 'in'],
  ['during', 'in'],
  ['durante', 'in'],
  ['no ano de', 'in'],
  ['in the year', 'in'],
  ['of', 'in'],
  ['de', 'in'],
  ['do', 'in'],
  ['da', 'in'],
  ['no', 'in'],
  ['na', 'in'],
  ['for', 'in'],
  ['para', 'in'],
  ['from', 'in'],
  // empties and negation
  ['is empty', 'empty'],
  ['are empty', 'empty'],
  ['empty', 'empty'],
  ['missing', 'empty'],
  ['is missing', 'empty'],
  ['is null', 'empty'],
  ['null', 'empty'],
  ['blank', 'empty'],
  ['sem valor', 'empty'],
  ['vazio', 'empty'],
  ['vazia', 'empty'],
  ['vazios', 'empty'],
  ['vazias', 'empty'],
  ['nulo', 'empty'],
  ['nula', 'empty'],
  ['nulos', 'empty'],
  ['em branco', 'empty'],
  ['nao informado', 'empty'],
  ['nao informada', 'empty'],
  ['not empty', 'notEmpty'],
  ['is not empty', 'notEmpty'],
  ['not null', 'notEmpty'],
  ['is not null', 'notEmpty'],
  ['not missing', 'notEmpty'],
  ['preenchido', 'notEmpty'],
  ['preenchida', 'notEmpty'],
  ['com valor', 'notEmpty'],
  ['nao vazio', 'notEmpty'],
  ['nao nulo', 'notEmpty'],
  ['without', 'without'],
  ['have no', 'without'],
  ['has no', 'without'],
  ['had no', 'without'],
  ['with no', 'without'],
  ['sem', 'without'],
  ['not', 'not'],
  ['nao', 'not'],
  ['except', 'not'],
  ['excluding', 'not'],
  ['exceto', 'not'],
  ['other than', 'not'],
  ['besides', 'not'],
  ['aside from', 'not'],
  ['apart from', 'not'],
  ['alem de', 'not'],
  ['diferente de', 'not'],
  ['fora', 'not'],
  ['with', 'with'],
  ['com', 'with'],
  ['having', 'with'],
  ['where', 'with'],
  ['onde', 'with'],
  ['whose', 'with'],
  ['cujo', 'with'],
  ['cuja', 'with'],
  ['que tem', 'with'],
  ['que tiveram', 'with'],
  // time units
  ['year', 'unit:year'],
  ['years', 'unit:year'],
  ['yearly', 'unit:year'],
  ['annual', 'unit:year'],
  ['ano', 'unit:year'],
  ['anos', 'unit:year'],
  ['anual', 'unit:year'],
  ['month', 'unit:month'],
  ['months', 'unit:month'],
  ['monthly', 'unit:month'],
  ['mes', 'unit:month'],
  ['meses', 'unit:month'],
  ['mensal', 'unit:month'],
  ['day', 'unit:day'],
  ['days', 'unit:day'],
  ['daily', 'unit:day'],
  ['date', 'unit:day'],
  ['dates', 'unit:day'],
  ['dia', 'unit:day'],
  ['dias', 'unit:day'],
  ['diario', 'unit:day'],
  ['data', 'unit:day'],
  ['datas', 'unit:day'],
  ['week', 'unit:week'],
  ['weeks', 'unit:week'],
  ['weekly', 'unit:week'],
  ['semana', 'unit:week'],
  ['semanas', 'unit:week'],
  ['semanal', 'unit:week'],
  ['hour', 'unit:hour'],
  ['hours', 'unit:hour'],
  ['hourly', 'unit:hour'],
  ['hora', 'unit:hour'],
  ['horas', 'unit:hour'],
  ['day of the week', 'unit:weekday'],
  ['day of week', 'unit:weekday'],
  ['weekday', 'unit:weekday'],
  ['dia da semana', 'unit:weekday'],
  ['dias da semana', 'unit:weekday'],
  // the rows themselves
  ['rows', 'row'],
  ['row', 'row'],
  ['records', 'row'],
  ['record', 'row'],
  ['entries', 'row'],
  ['entry', 'row'],
  ['lines', 'row'],
  ['observations', 'row'],
  ['occurrences', 'row'],
  ['cases', 'row'],
  ['times', 'row'],
  ['transactions', 'row'],
  ['orders', 'row'],
  ['sales', 'row'],
  ['purchases', 'row'],
  ['registros', 'row'],
  ['registro', 'row'],
  ['linhas', 'row'],
  ['linha', 'row'],
  ['entradas', 'row'],
  ['ocorrencias', 'row'],
  ['observacoes', 'row'],
  ['casos', 'row'],
  ['vezes', 'row'],
  ['transacoes', 'row'],
  ['pedidos', 'row'],
  ['vendas', 'row'],
  ['compras', 'row'],
  ['readings', 'row'],
  ['measurements', 'row'],
  ['events', 'row'],
  ['leituras', 'row'],
  ['medicoes', 'row'],
  ['eventos', 'row'],
  ['people', 'row'],
  ['pessoas', 'row'],
  ['person', 'row'],
  ['pessoa', 'row'],
  ['incidents', 'row'],
  ['incidentes', 'row'],
  ['occurrences', 'row'],
  // words that carry no query meaning
  ['type', 'filler'],
  ['types', 'filler'],
  ['type of', 'filler'],
  ['kind of', 'filler'],
  ['tipo', 'filler'],
  ['tipos', 'filler'],
  ['tipo de', 'filler'],
  ['in total', 'filler'],
  ['ir ao ar', 'filler'],
  ['foi ao ar', 'filler'],
  ['foram ao ar', 'filler'],
  ['no total', 'filler'],
  ['ao todo', 'filler'],
  ['overall', 'filler'],
  ['geral', 'filler'],
  ['sold', 'filler'],
  ['vendido', 'filler'],
  ['vendida', 'filler'],
  ['vendidos', 'filler'],
  ['vendidas', 'filler'],
  ['value', 'filler'],
  ['values', 'filler'],
  ['valor', 'filler'],
  ['valores', 'filler'],
  ['amount of', 'count'],
  ['the amount of', 'count'],
  ['level', 'filler'],
  ['nivel', 'filler'],
  ['recorded', 'filler'],
  ['registered', 'filler'],
  ['registrado', 'filler'],
  ['registrada', 'filler'],
  ['registrados', 'filler'],
  ['registradas', 'filler'],
  ['the data', 'filler'],
  ['the dataset', 'filler'],
  ['the table', 'filler'],
  ['this table', 'filler'],
  ['dataset', 'filler'],
  ['table', 'filler'],
  ['tabela', 'filler'],
  ['dados', 'filler'],
  ['os dados', 'filler'],
  ['base', 'filler'],
  ['planilha', 'filler'],
  ['arquivo', 'filler'],
  ['file', 'filler'],
  ['please', 'filler'],
  ['por favor', 'filler'],
  ['all', 'filler'],
  ['todos', 'filler'],
  ['todas', 'filler'],
  ['todos os', 'filler'],
  ['todas as', 'filler'],
  ['respectively', 'filler'],
  ['respectivos', 'filler'],
  ['respectivas', 'filler'],
  ['along with', 'filler'],
  ['together with', 'filler'],
  ['junto com', 'filler'],
  ['their', 'filler'],
  ['seus', 'filler'],
  ['suas', 'filler'],
  ['seu', 'filler'],
  ['sua', 'filler'],
  ['percent', 'filler'],
  ['por cento', 'filler'],
  ['degrees', 'filler'],
  ['graus', 'filler'],
  ['celsius', 'filler'],
  ['mm', 'filler'],
  ['km', 'filler'],
  ['kg', 'filler'],
  ['dollars', 'filler'],
  ['reais', 'filler'],
  ['usd', 'filler'],
  ['brl', 'filler'],
  // out of scope: explanations, opinions, predictions, statistics this engine does not compute
  ['why', 'refuse'],
  ['por que', 'refuse'],
  ['porque', 'refuse'],
  ['por qual motivo', 'refuse'],
  ['pq', 'refuse'],
  ['should', 'refuse'],
  ['deveria', 'refuse'],
  ['deveriamos', 'refuse'],
  ['would', 'refuse'],
  ['could', 'refuse'],
  ['recommend', 'refuse'],
  ['recomenda', 'refuse'],
  ['recomendaria', 'refuse'],
  ['predict', 'refuse'],
  ['prediction', 'refuse'],
  ['forecast', 'refuse'],
  ['prever', 'refuse'],
  ['previsao', 'refuse'],
  ['will', 'refuse'],
  ['next year', 'refuse'],
  ['proximo ano', 'refuse'],
  ['correlation', 'refuse'],
  ['correlated', 'refuse'],
  ['correlacao', 'refuse'],
  ['correlacionado', 'refuse'],
  ['ratio', 'refuse'],
  ['variance', 'refuse'],
  ['variancia', 'refuse'],
  ['trend', 'refuse'],
  ['tendencia', 'refuse'],
  ['growth', 'refuse'],
  ['crescimento', 'refuse'],
  ['cause', 'refuse'],
  ['causa', 'refuse'],
  ['explain', 'refuse'],
  ['explique', 'refuse'],
  ['think', 'refuse'],
  ['acha', 'refuse'],
  ['opinion', 'refuse'],
  ['opiniao', 'refuse'],
  ['best', 'refuse'],
  ['melhor', 'refuse'],
  ['melhores', 'refuse'],
  ['worst', 'refuse'],
  ['pior', 'refuse'],
  ['piores', 'refuse'],
  ['good', 'refuse'],
  ['bad', 'refuse'],
  ['bom', 'refuse'],
  ['ruim', 'refuse'],
  ['like', 'refuse'],
  ['gosta', 'refuse'],
  ['more or less', 'moreless'],
  ['more or fewer', 'moreless'],
  ['less or more', 'moreless'],
  ['mais ou menos', 'moreless'],
  ['menos ou mais', 'moreless'],
  ['compared to', 'than'],
  ['compared with', 'than'],
  ['em comparacao com', 'than'],
  ['comparado a', 'than'],
  ['comparado com', 'than'],
  ['compare', 'refuse'],
  ['comparar', 'refuse'],
  ['compare com', 'refuse'],
  ['versus', 'refuse'],
  ['vs', 'refuse'],
  ['difference', 'difference'],
  ['difference between', 'difference'],
  ['difference in', 'difference'],
  ['diferenca', 'difference'],
  ['diferenca entre', 'difference'],
  ['diferenca de', 'difference'],
  // choices and comparisons between named rows
  ['or', 'or'],
  ['ou', 'or'],
  ['than', 'than'],
  ['do que', 'than'],
  ['same', 'same'],
  ['same as', 'same'],
  ['the same as', 'same'],
  ['mesmo', 'same'],
  ['mesma', 'same'],
  ['mesmos', 'same'],
  ['mesmas', 'same'],
  ['o mesmo que', 'same'],
  ['a mesma que', 'same'],
  // row order
  ['previous', 'prev'],
  ['previous to', 'prev'],
  ['preceding', 'prev'],
  ['prior to', 'prev'],
  ['just before', 'prev'],
  ['immediately before', 'prev'],
  ['right before', 'prev'],
  ['directly before', 'prev'],
  ['directly above', 'prev'],
  ['just above', 'prev'],
  ['anterior', 'prev'],
  ['anterior a', 'prev'],
  ['imediatamente antes de', 'prev'],
  ['logo antes de', 'prev'],
  ['logo acima de', 'prev'],
  ['next', 'next'],
  ['next to', 'beside'],
  // streaks and spans: computed over runs of rows, which the engine does not do
  ['consecutive', 'unsupported'],
  ['consecutively', 'unsupported'],
  ['in a row', 'unsupported'],
  ['straight', 'unsupported'],
  ['streak', 'unsupported'],
  ['consecutivo', 'unsupported'],
  ['consecutivos', 'unsupported'],
  ['consecutiva', 'unsupported'],
  ['consecutivas', 'unsupported'],
  ['seguidos', 'unsupported'],
  ['seguidas', 'unsupported'],
  ['em sequencia', 'unsupported'],
  ['ao lado de', 'beside'],
  ['next after', 'next'],
  ['following', 'next'],
  ['just after', 'next'],
  ['immediately after', 'next'],
  ['right after', 'next'],
  ['directly after', 'next'],
  ['directly below', 'next'],
  ['just below', 'next'],
  ['seguinte', 'next'],
  ['seguinte a', 'next'],
  ['proximo', 'next'],
  ['proxima', 'next'],
  ['proximo a', 'next'],
  ['logo depois de', 'next'],
  ['logo apos', 'next'],
  ['logo abaixo de', 'next'],
  ['join', 'refuse'],
  ['columns', 'refuse'],
  ['colunas', 'refuse'],
  ['delete', 'refuse'],
  ['drop', 'refuse'],
  ['update', 'refuse'],
  ['insert', 'refuse'],
  ['apague', 'refuse'],
  ['apagar', 'refuse'],
  ['remova', 'refuse'],
  ['altere', 'refuse'],
  ['increase', 'refuse'],
  ['decrease', 'refuse'],
  ['aumentou', 'refuse'],
  ['diminuiu', 'refuse'],
  ['mudou', 'refuse'],
  ['changed', 'refuse'],
  ['change', 'refuse'],
  ['happen', 'refuse'],
  ['impact', 'refuse'],
  ['impacto', 'refuse'],
  ['affect', 'refuse'],
  ['afeta', 'refuse'],
  ['relationship', 'refuse'],
  ['relacao', 'refuse'],
];

/**
 * Portuguese contracts "de" with the article that follows ("antes DO Peru", "depois DA Itália", "acima DOS…"): every
 * phrase ending in "de" also stands with do/da/dos/das.
 */
function withContractions(
  phrases: ReadonlyArray<readonly [string, Keyword]>,
): Array<readonly [string, Keyword]> {
  const out: Array<readonly [string, Keyword]> = [...phrases];
  const known = new Set(phrases.map(([p]) => p));
  for (const [phrase, kw] of phrases) {
    if (!phrase.endsWith(' de')) continue;
    for (const article of ['do', 'da', 'dos', 'das']) {
      const variant = `${phrase.slice(0, -2)}${article}`;
      if (!known.has(variant)) out.push([variant, kw]);
    }
  }
  return out;
}

export const KEYWORD_PHRASES: ReadonlyMap<string, Keyword> = new Map(
  withContractions([...PHRASES, ...PT_PHRASES]),
);
export const MAX_PHRASE_TOKENS = 5;

/**
 * Function words: articles, prepositions, pronouns, auxiliaries and the commonest verbs of questions about data.
 * They carry no query meaning and are skipped; an unrecognised word that is NOT here counts against confidence.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'the a an is are was were be been being has have had do does did there here it its this that these those ' +
    'to at on as into than then me my i we our you your us show tell find get got give see please can could ' +
    'exist exists existed happened occurred made make done sell sells selling bought placed whose who whom ' +
    'each every any some all same such also just ever whats were value ' +
    'o a os as um uma uns umas ao aos que se e ou ja foi foram era eram ser sao esta estao estava estavam ' +
    'tem tinha tinham teve tiveram ha houve existe existem existiu existiram fez fizeram feito feita feitos ' +
    'feitas fazer vendeu venderam vender vende vendem dos das nos nas pelo pela pelos pelas num numa me diga ' +
    'mostra informe qual quais ali aqui isso isto esse essa esses essas este estes estas aquele aquela ' +
    'nele nela dele dela deles delas sobre registrou registraram teve houveram aconteceu ocorreu ocorreram ' +
    'nesse nessa neste nesta naquele considerando considerar vez ' +
    'he she they him her his hers them ele ela eles elas'
  ).split(/\s+/),
);

/** Number words (cardinals up to twenty and tens); "um/one" are left out: they are mostly articles. */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ['dois', 2],
  ['duas', 2],
  ['tres', 3],
  ['quatro', 4],
  ['cinco', 5],
  ['seis', 6],
  ['sete', 7],
  ['oito', 8],
  ['nove', 9],
  ['dez', 10],
  ['onze', 11],
  ['doze', 12],
  ['treze', 13],
  ['quatorze', 14],
  ['catorze', 14],
  ['quinze', 15],
  ['dezesseis', 16],
  ['dezessete', 17],
  ['dezoito', 18],
  ['dezenove', 19],
  ['vinte', 20],
  ['trinta', 30],
  ['quarenta', 40],
  ['cinquenta', 50],
  ['cem', 100],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['thirteen', 13],
  ['fourteen', 14],
  ['fifteen', 15],
  ['sixteen', 16],
  ['seventeen', 17],
  ['eighteen', 18],
  ['nineteen', 19],
  ['twenty', 20],
  ['thirty', 30],
  ['forty', 40],
  ['fifty', 50],
  ['hundred', 100],
]);

/** "10 mil", "2 million": multipliers after a number. */
export const MULTIPLIERS: ReadonlyMap<string, number> = new Map([
  ['mil', 1e3],
  ['thousand', 1e3],
  ['k', 1e3],
  ['milhao', 1e6],
  ['milhoes', 1e6],
  ['million', 1e6],
  ['millions', 1e6],
  ['mi', 1e6],
  ['bilhao', 1e9],
  ['bilhoes', 1e9],
  ['billion', 1e9],
  ['billions', 1e9],
  ['bi', 1e9],
]);

/** Month names → month number. Short forms that are also ordinary words need a year next to them (see intents). */
export const MONTHS: ReadonlyMap<string, number> = new Map([
  ['janeiro', 1],
  ['january', 1],
  ['jan', 1],
  ['fevereiro', 2],
  ['february', 2],
  ['fev', 2],
  ['feb', 2],
  ['marco', 3],
  ['march', 3],
  ['abril', 4],
  ['april', 4],
  ['abr', 4],
  ['apr', 4],
  ['maio', 5],
  ['may', 5],
  ['junho', 6],
  ['june', 6],
  ['jun', 6],
  ['julho', 7],
  ['july', 7],
  ['jul', 7],
  ['agosto', 8],
  ['august', 8],
  ['ago', 8],
  ['aug', 8],
  ['setembro', 9],
  ['september', 9],
  ['set', 9],
  ['sep', 9],
  ['sept', 9],
  ['outubro', 10],
  ['october', 10],
  ['out', 10],
  ['oct', 10],
  ['novembro', 11],
  ['november', 11],
  ['nov', 11],
  ['dezembro', 12],
  ['december', 12],
  ['dez', 12],
  ['dec', 12],
]);

/** Month words that are also common words: only months when a year follows. */
export const AMBIGUOUS_MONTHS: ReadonlySet<string> = new Set([
  'may',
  'mar',
  'set',
  'out',
  'dez',
  'jan',
  'ago',
]);

/**
 * Superlative adjectives that name a measure and a direction at once ("the heaviest car", "os mais pesados"):
 * adjective → [direction, a word of the measure's concept]. Used only when exactly one column has that concept;
 * otherwise the adjective is just "highest"/"lowest".
 */
export const MEASURE_ADJECTIVES: ReadonlyMap<string, readonly ['high' | 'low', string]> = new Map([
  ['heaviest', ['high', 'weight']],
  ['lightest', ['low', 'weight']],
  ['pesado', ['high', 'weight']],
  ['pesada', ['high', 'weight']],
  ['pesados', ['high', 'weight']],
  ['pesadas', ['high', 'weight']],
  ['leve', ['low', 'weight']],
  ['leves', ['low', 'weight']],
  ['hottest', ['high', 'temperature']],
  ['warmest', ['high', 'temperature']],
  ['coldest', ['low', 'temperature']],
  ['quente', ['high', 'temperature']],
  ['quentes', ['high', 'temperature']],
  ['frio', ['low', 'temperature']],
  ['frios', ['low', 'temperature']],
  ['fria', ['low', 'temperature']],
  ['frias', ['low', 'temperature']],
  ['longest', ['high', 'length']],
  ['shortest', ['low', 'length']],
  ['longo', ['high', 'length']],
  ['longos', ['high', 'length']],
  ['longa', ['high', 'length']],
  ['longas', ['high', 'length']],
  ['tallest', ['high', 'height']],
  ['oldest', ['high', 'age']],
  ['cheapest', ['low', 'price']],
  ['barato', ['low', 'price']],
  ['baratos', ['low', 'price']],
  ['barata', ['low', 'price']],
  ['baratas', ['low', 'price']],
  ['expensive', ['high', 'price']],
  ['caro', ['high', 'price']],
  ['caros', ['high', 'price']],
  ['cara', ['high', 'price']],
  ['caras', ['high', 'price']],
  ['fastest', ['high', 'speed']],
  ['quickest', ['high', 'speed']],
  ['slowest', ['low', 'speed']],
  ['rapido', ['high', 'speed']],
  ['rapidos', ['high', 'speed']],
  ['youngest', ['low', 'age']],
  ['jovem', ['low', 'age']],
  ['jovens', ['low', 'age']],
  ['velho', ['high', 'age']],
  ['velhos', ['high', 'age']],
  ['windiest', ['high', 'wind']],
  ['rainiest', ['high', 'precipitation']],
  ['populous', ['high', 'population']],
  ['populoso', ['high', 'population']],
  ['populosos', ['high', 'population']],
  ['populosa', ['high', 'population']],
  ['populosas', ['high', 'population']],
  ['profitable', ['high', 'profit']],
  ['lucrativo', ['high', 'profit']],
  ['lucrativos', ['high', 'profit']],
]);

/** Comparatives that name a measure: "older than 40" → age > 40. word → [comparison, a word of the concept]. */
export const MEASURE_COMPARATIVES: ReadonlyMap<string, readonly ['gt' | 'lt', string]> = new Map([
  ['older', ['gt', 'age']],
  ['younger', ['lt', 'age']],
  ['taller', ['gt', 'height']],
  ['shorter', ['lt', 'height']],
  ['heavier', ['gt', 'weight']],
  ['lighter', ['lt', 'weight']],
  ['longer', ['gt', 'length']],
  ['cheaper', ['lt', 'price']],
  ['pricier', ['gt', 'price']],
  ['faster', ['gt', 'speed']],
  ['quicker', ['gt', 'speed']],
  ['slower', ['lt', 'speed']],
  ['hotter', ['gt', 'temperature']],
  ['colder', ['lt', 'temperature']],
  ['warmer', ['gt', 'temperature']],
]);

export interface ConceptTable {
  /** stem → concept ids */
  readonly byStem: ReadonlyMap<string, readonly number[]>;
}

/** Words the stemmer must leave alone (short function-like words whose stems would collide). */
const PROTECTED: ReadonlySet<string> = new Set(['data', 'dados', 'sales', 'vendas', 'status', 'gas', 'news']);

/**
 * A light stemmer shared by both languages: plural and gender endings, a few derivational endings (-ção/-tion,
 * -oso, -idade/-ity) and double consonants. It need not be linguistically right, only consistent: the same
 * function stems question words and catalog words, so "populosos", "population" and "população" meet at "popul".
 */
export function stem(word: string): string {
  let cached = stems.get(word);
  if (cached === undefined) {
    cached = stemOf(word);
    // Words repeat across questions and cells: a bounded memo keeps tokenizing cheap (issue 13's 1 ms budget).
    if (stems.size >= MAX_MEMO) stems.clear();
    stems.set(word, cached);
  }
  return cached;
}

const MAX_MEMO = 50_000;
const stems = new Map<string, string>();

function stemOf(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w) || PROTECTED.has(w)) return w;
  const rules: ReadonlyArray<readonly [string, string]> = [
    ['acoes', ''],
    ['acao', ''],
    ['ations', ''],
    ['ation', ''],
    ['tions', ''],
    ['tion', ''],
    ['icoes', ''],
    ['icao', ''],
    ['coes', ''],
    ['cao', ''],
    ['osos', ''],
    ['osas', ''],
    ['oso', ''],
    ['osa', ''],
    ['idades', ''],
    ['idade', ''],
    ['ities', ''],
    ['ity', ''],
    ['ies', 'y'],
    ['sses', 'ss'],
    ['oes', 'ao'],
    ['aes', 'ao'],
    ['ais', 'al'],
    ['eis', 'el'],
    // Portuguese -ns plurals of -m words (homens, jardins, atuns), not English -ons (champions, seasons).
    ['ens', 'em'],
    ['ins', 'im'],
    ['uns', 'um'],
    ['res', 'r'],
    ['ses', 's'],
    ['xes', 'x'],
    ['ches', 'ch'],
    ['shes', 'sh'],
  ];
  for (const [suffix, repl] of rules) {
    if (w.endsWith(suffix) && w.length - suffix.length + repl.length >= 4) {
      w = w.slice(0, w.length - suffix.length) + repl;
      break;
    }
  }
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1);
  }
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 5 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && /[aeo]$/.test(w)) w = w.slice(0, -1);
  if (w.length > 4 && /[^aeiou]y$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && /([^aeiou])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

let conceptTable: ConceptTable | undefined;

/** Built once: stems of every synonym-group word → the groups it belongs to. */
export function concepts(): ConceptTable {
  if (conceptTable) return conceptTable;
  const byStem = new Map<string, number[]>();
  [...SYNONYM_GROUPS, ...NAME_GROUPS].forEach((group, id) => {
    for (const word of group.split(/\s+/)) {
      for (const key of new Set([word, stem(word)])) {
        const list = byStem.get(key) ?? [];
        if (!list.includes(id)) list.push(id);
        byStem.set(key, list);
      }
    }
  });
  conceptTable = { byStem };
  return conceptTable;
}

/** Words that suggest a measure is an intensity (averaged) rather than an amount (summed) by default. */
export const INTENSIVE_STEMS: ReadonlySet<string> = new Set(
  [
    'price',
    'preco',
    'rate',
    'taxa',
    'percent',
    'pct',
    'percentual',
    'discount',
    'desconto',
    'avg',
    'average',
    'mean',
    'media',
    'temp',
    'temperature',
    'temperatura',
    'score',
    'nota',
    'rating',
    'age',
    'idade',
    'health',
    'saude',
    'income',
    'renda',
    'speed',
    'velocidade',
    'humidity',
    'umidade',
    'pressure',
    'pressao',
    'index',
    'indice',
    'ratio',
    'latitude',
    'longitude',
    'lat',
    'lon',
    'expectancy',
    'expectativa',
    'unitario',
    'unit',
    'per',
    'wind',
    'vento',
    'weight',
    'peso',
    'height',
    'altura',
    'salary',
    'salario',
    'mpg',
    'horsepower',
    'acceleration',
    // levels and readings: a sensor's battery, a tank's level, a sample's density
    'battery',
    'bateria',
    'voltage',
    'tensao',
    'level',
    'nivel',
    'density',
    'densidade',
    'concentration',
    'concentracao',
    'altitude',
    'elevation',
    'elevacao',
    'margin',
    'margem',
  ].map(stem),
);

/** Language markers: words that are clearly one language. */
export const PT_MARKERS: ReadonlySet<string> = new Set(
  (
    'qual quais quantos quantas quanto quanta media medio maior menor por cada em no na nos nas do da dos das ' +
    'de os as foi foram houve existem tem mais menos entre acima abaixo com sem mostre liste ano mes dia ' +
    'soma total que e um uma para ate desde apos antes depois sao ha regiao preco valor'
  ).split(' '),
);
export const EN_MARKERS: ReadonlySet<string> = new Set(
  (
    'what which how many much the is are was were by per of in for each average sum highest lowest most least ' +
    'above below between show list year month day there did does do with without after before since and ' +
    'top records rows price value have has had'
  ).split(' '),
);

let names: ReadonlySet<string> | undefined;

/** Words of place and day names (NAME_GROUPS): names a question may give a cell by, in either language. */
export function isNameWord(word: string): boolean {
  names ??= new Set(NAME_GROUPS.flatMap((g) => g.split(/\s+/)));
  return names.has(word);
}
